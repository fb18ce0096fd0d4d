// The sandbox every workflow runs in, built once per Lua state.
#pragma once
#include <lua.hpp>

#include <string>

namespace weft::dsl {

// Opens the allowed libraries, removes what a workflow must not reach,
// installs Weft's require and the deterministic os/math replacements, and
// protects the global table against writes.
void build_sandbox(lua_State* L, const std::string& workflows_dir);

}  // namespace weft::dsl
