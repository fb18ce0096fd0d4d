// Library functions whose work is not one instruction's worth (string.rep,
// table.concat, table.sort, string.format, utf8, string.byte/sub/upper...)
// wrapped so that they charge that work to the thread's active budget
// (dsl/budget.hpp) before or right after doing it.
#pragma once
#include <lua.hpp>

namespace weft::dsl {

// Wraps the functions of the global tables string, table and utf8 in place
// (the string metatable's __index is the string table, so method calls are
// wrapped too). Error messages and results are those of the originals.
void install_counted_library_calls(lua_State* L);

}  // namespace weft::dsl
