// The native (C++) modules require hands out besides the embedded Lua ones
// and the workflow folder's. dsl/ provides only `weft`; the layer that
// implements the others registers them once at process start, before the
// first Lua state is made (stdlib::register_native_modules, called by each
// program's main).
#pragma once
#include <lua.hpp>

#include <string>
#include <vector>

namespace weft::dsl {

struct NativeModule {
  const char* name;  // as given to require, e.g. "weft.json"
  lua_CFunction open;  // pushes the module table and returns 1
};

// Adds modules to the registry; a name registered twice keeps its first
// opener. Not safe to call while Lua states are running.
void register_native_modules(const std::vector<NativeModule>& modules);

// The opener of a native module, or null.
lua_CFunction find_native_module(const std::string& name);

}  // namespace weft::dsl
