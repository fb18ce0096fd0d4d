// Weft's module search (see module_loader.hpp). Folder modules are
// compiled as text only, so no binary chunk from outside enters a state.
#include "dsl/module_loader.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/chunk_cache.hpp"
#include "dsl/embedded_lua.hpp"
#include "dsl/native_modules.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kWorkflowsDir = "weft.workflows_dir";

bool valid_module_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return name.find("..") == std::string::npos;
}

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
  std::string dir = workflows_dir(L);
  if (!dir.empty() && valid_module_name(name)) {
    std::string key = "module:" + name;
    std::string rel = name;
    std::replace(rel.begin(), rel.end(), '.', '/');
    for (const auto& candidate : {rel + ".lua", rel + "/init.lua"}) {
      std::filesystem::path path = std::filesystem::path(dir) / candidate;
      std::string source;
      if (!chunk_cached(L, key + ":" + candidate)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) continue;
        std::stringstream text;
        text << in.rdbuf();
        source = text.str();
      }
      push_chunk(L, key + ":" + candidate, source, "@" + path.string(), env);
      lua_pushstring(L, path.c_str());
      return true;
    }
  }
  std::string why = "\n\tno module '" + name + "' among Weft's modules" +
                    (dir.empty() ? std::string() : " or in the workflows folder " + dir);
  lua_pushstring(L, why.c_str());
  return false;
}

}  // namespace weft::dsl
