// What `require` can find inside Weft: the native modules (weft.json, …),
// the embedded Lua modules of dsl/lua and stdlib/lua, and Lua files under
// the workflows folder. Nothing else on disk is reachable.
#pragma once
#include <lua.hpp>

#include <string>

namespace weft::dsl {

// Replaces package.searchers with Weft's searcher. `workflows_dir` may be
// empty (no folder search). Requires the package library to be open.
void install_module_loader(lua_State* L, const std::string& workflows_dir);

}  // namespace weft::dsl
