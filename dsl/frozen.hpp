// Read-only views of the tables every run shares (the standard libraries),
// and the metatable rules that keep shared metatables out of workflow code.
// Design: a frozen view is an empty proxy whose protected metatable reads
// from the real table and refuses writes; the real table is reachable only
// through the proxy, so no run can change what another run calls.
#pragma once
#include <lua.hpp>

namespace weft::dsl {

// Pushes a read-only view of the table at `index` (reads, pairs and # work;
// writes, rawset and setmetatable raise).
void push_frozen(lua_State* L, int index);

// True when the table at `index` is a frozen view.
bool is_frozen(lua_State* L, int index);

// Remembers the metatable at `index` as one workflow code set itself.
void mark_user_metatable(lua_State* L, int index);

// True when the metatable at `index` was set by workflow code; any other
// (Weft's own: ctx, errors, JSON markers, declarations) is protected.
bool is_user_metatable(lua_State* L, int index);

// The sandbox's replacements of the base functions that could reach a
// shared table: rawset refuses frozen views; setmetatable refuses to change
// a protected metatable and refuses finalisers (__gc runs outside every
// budget, and from whichever run happens to collect it); getmetatable
// answers "protected" for a metatable workflow code did not set.
int sandbox_rawset(lua_State* L);
int sandbox_setmetatable(lua_State* L);
int sandbox_getmetatable(lua_State* L);

// Creates the registry tables these functions use; once per state.
void install_frozen_support(lua_State* L);

}  // namespace weft::dsl
