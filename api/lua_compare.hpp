// Deep comparison of Lua values for weft test's assertions, and their
// rendering as Lua text ({a = 1, tags = {"x"}}), bounded so a huge or
// self-containing table prints short.
#pragma once
#include <lua.hpp>

#include <cstddef>
#include <string>

namespace weft::api {

// The value at `index` as Lua text of at most about `max_chars`
// characters ("…" marks a cut); weft.null prints as null.
std::string render_lua_value(lua_State* L, int index, size_t max_chars = 200);

// Compares two values deeply: tables by their keys and values (metatables
// ignored), everything else by raw equality (1 == 1.0). Equal: returns
// false, leaving the stack as it was. Different: returns true with the
// path of the first difference in `path` (".items[2].email", "" for the
// values themselves) and the two values there pushed: actual, then
// expected (nil where one side has no such key).
bool lua_difference(lua_State* L, int actual, int expected, std::string& path);

// "expected {a = 1} got {a = 2} at .a", or for values too long to print
// whole, "at .a: expected 1 got 2".
std::string describe_difference(lua_State* L, int actual, int expected);

}  // namespace weft::api
