// The sandbox every workflow runs in, built once per Lua state: the
// allow-list of globals, read-only views of the libraries, and the base
// that every environment (environment.hpp) reads through.
#pragma once
#include <lua.hpp>

#include <string>

namespace weft::dsl {

// Opens the allowed libraries, removes what a workflow must not reach,
// installs the deterministic os/math replacements, freezes the libraries,
// and turns the state's global table into an environment of its own.
void build_sandbox(lua_State* L, const std::string& workflows_dir);

// For environment.cpp: the frozen base table of allowed globals; the
// metatable every environment shares (reads from the base, refuses new
// globals, protected); Lua's own load.
void push_sandbox_base(lua_State* L);
void push_environment_metatable(lua_State* L);
void push_raw_load(lua_State* L);

}  // namespace weft::dsl
