// Weft's own Lua 5.4 patterns: string.find, string.match, string.gmatch and
// string.gsub with the syntax and results of the reference manual (§6.4.1),
// whose matcher charges each of its steps to the thread's active budget
// (dsl/budget.hpp), so a backtracking pattern stops with "instruction limit
// exceeded" instead of running for ever inside C.
#pragma once
#include <lua.hpp>

namespace weft::dsl {

// Replaces find, match, gmatch and gsub in the string table at `string_table`
// (the string metatable's __index is that table, so method calls such as
// ("x"):match(p) use them too).
void install_counted_patterns(lua_State* L, int string_table);

}  // namespace weft::dsl
