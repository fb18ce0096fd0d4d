// weft.error values: tables { kind, message, retryable, traceback } with a
// shared metatable, so Lua code raises them with error(weft.error{...}) and
// the engine records them as JSON.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace weft::dsl {

// Registers the metatable; called once per state.
void install_error_metatable(lua_State* L);

// weft.error{ kind = "...", message = "...", retryable = bool } (Lua function).
int lua_make_error(lua_State* L);

// Describes any Lua error value as JSON: a weft.error table keeps its
// fields; a string becomes { kind = "error", message = <string> }.
nlohmann::json error_value_to_json(lua_State* L, int index);

// Pushes a weft.error table built from the JSON form above (for replay).
void push_error_json(lua_State* L, const nlohmann::json& error);

}  // namespace weft::dsl
