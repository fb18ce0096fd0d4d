// Lua <-> JSON conversion. Arrays and objects are preserved across the
// round trip: decoded arrays carry the weft.array metatable so an empty
// array stays an array; weft.null stands for JSON null.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace weft::dsl {

using json = nlohmann::json;

// Converts the Lua value at `index`. Throws std::runtime_error naming the
// path of the offending value ("result.items[3]: cannot convert a function").
json lua_to_json(lua_State* L, int index, const std::string& root = "value");

// Pushes `value` as a Lua value.
void push_json(lua_State* L, const json& value);

// Installs the metatables and the null sentinel used above; called once per state.
void install_json_markers(lua_State* L);

// Pushes weft.null (a light userdata that compares equal to itself only).
void push_null(lua_State* L);

}  // namespace weft::dsl
