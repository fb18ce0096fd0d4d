// Environments: the globals of one run (or one webhook event call). Each
// holds its own `_G`, `require` with its own loaded modules, `load` and
// `package`; everything else is read through the state's frozen base (the
// allowed globals and read-only views of the libraries, see sandbox.hpp).
// Nothing a run writes lands anywhere another run reads.
#pragma once
#include <lua.hpp>

namespace weft::dsl {

// Pushes a new environment. Requires build_sandbox to have run.
void push_environment(lua_State* L);

// Makes the (empty) table at `index` an environment: used once for the
// state's own global table, which tools and tests run code in.
void make_environment(lua_State* L, int index);

// Pushes the environment of the Lua code that called the running C
// function: the `_ENV` of the nearest Lua function on the stack that has
// one (a file's main chunk always has). Throws std::runtime_error if none.
void push_caller_environment(lua_State* L);

// Calls `require(name)` in the environment at `env`, leaving the module on
// the stack. Raises a Lua error as require does (call it protected).
void require_in(lua_State* L, int env, const char* name);

}  // namespace weft::dsl
