// Weft's module search (see module_loader.hpp). Folder modules are
// compiled as text only, so no binary chunk from outside enters a state.
#include "dsl/module_loader.hpp"

#include "dsl/chunk_cache.hpp"
#include "dsl/embedded_lua.hpp"
#include "dsl/native_modules.hpp"
#include "dsl/version_modules.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kWorkflowsDir = "weft.workflows_dir";

std::string workflows_dir(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kWorkflowsDir);
  std::string dir = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  return dir;
}

}  // namespace

void set_workflows_dir(lua_State* L, const std::string& dir) {
  lua_pushlstring(L, dir.data(), dir.size());
  lua_setfield(L, LUA_REGISTRYINDEX, kWorkflowsDir);
}

bool push_module_loader(lua_State* L, const std::string& name, int env) {
  env = lua_absindex(L, env);
  if (lua_CFunction open = find_native_module(name)) {
    lua_pushcfunction(L, open);
    lua_pushstring(L, ":native:");
    return true;
  }
  for (const auto& module : embedded_modules()) {
    if (name == module.name) {
      std::string chunkname(module.chunkname);
      push_chunk(L, "embedded:" + name, module.source, chunkname, env);
      lua_pushstring(L, chunkname.c_str() + 1);
      return true;
    }
  }
  return push_folder_module(L, name, env, workflows_dir(L));
}

}  // namespace weft::dsl
