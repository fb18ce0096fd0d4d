// Lua <-> JSON conversion. Arrays and objects are preserved across the
// round trip: decoded arrays carry the weft.array metatable so an empty
// array stays an array; weft.null stands for JSON null. Strings and keys
// keep every byte (NUL included).
//
// Limits: a value nests at most engine::kMaxJsonDepth deep (a table that
// contains itself hits it too), and every value converted is charged to
// the thread's active Lua budget (dsl/budget.hpp), so a huge conversion
// counts against the run's instruction budget. Both directions throw
// C++ exceptions, never Lua errors: call them inside `guarded`.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace weft::dsl {

using json = nlohmann::json;

// What lua_to_json does with a string (or key) that is not valid UTF-8:
// results, inputs and documents refuse it (the error names the path);
// error values, which must always be recordable, replace the bad bytes
// with U+FFFD.
enum class InvalidUtf8 { Refuse, Replace };

// Converts the Lua value at `index`. Throws std::runtime_error naming the
// path of the offending value ("result.items[3]: cannot convert a function",
// "result.name: invalid UTF-8 (byte 0xFF at offset 3)"), leaving the
// stack as it found it.
json lua_to_json(lua_State* L, int index, const std::string& root = "value",
                 InvalidUtf8 strings = InvalidUtf8::Refuse);

// Pushes `value` as a Lua value. Throws std::runtime_error when it nests
// deeper than engine::kMaxStoredJsonDepth or the budget is spent (nothing
// is left pushed then).
void push_json(lua_State* L, const json& value);

// Installs the metatables and the null sentinel used above; called once per state.
void install_json_markers(lua_State* L);

// Pushes weft.null (a light userdata that compares equal to itself only).
void push_null(lua_State* L);

}  // namespace weft::dsl
