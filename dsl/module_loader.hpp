// What `require` can find inside Weft: the native modules (weft.json, …),
// the embedded Lua modules of dsl/lua and stdlib/lua, and the workflows
// folder's modules — from the run's script version (version_modules.hpp),
// or from the folder itself. Nothing else on disk is reachable. Lua modules are
// compiled once per state (chunk_cache.hpp) and instantiated per
// environment, so each run has its own copy of every module it requires.
#pragma once
#include <lua.hpp>

#include <string>

namespace weft::dsl {

// Where folder modules are searched in this state ("" = nowhere).
void set_workflows_dir(lua_State* L, const std::string& workflows_dir);

// Pushes the loader of module `name` bound to the environment at `env`,
// and its extra argument (the module's origin): returns true. When there
// is no such module, pushes the explanation and returns false. Throws
// std::runtime_error on a syntax error in the module.
bool push_module_loader(lua_State* L, const std::string& name, int env);

}  // namespace weft::dsl
