// Weft's package searcher (see module_loader.hpp). Folder modules are
// loaded as text only ("t" mode), so no binary chunk ever enters a state.
#include "dsl/module_loader.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/embedded_lua.hpp"
#include "dsl/lua_guard.hpp"
#include "stdlib/native_modules.hpp"

namespace weft::dsl {
namespace {

bool valid_module_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return name.find("..") == std::string::npos;
}

// Pushes the loader (and its extra value) or an explanation string.
int search(lua_State* L) {
  return guarded(L, [](lua_State* L) {
    std::string name = luaL_checkstring(L, 1);
    for (const auto& module : stdlib::native_modules()) {
      if (name == module.name) {
        lua_pushcfunction(L, module.open);
        lua_pushstring(L, ":native:");
        return 2;
      }
    }
    for (const auto& module : embedded_modules()) {
      if (name == module.name) {
        std::string chunkname(module.chunkname);
        if (luaL_loadbufferx(L, module.source.data(), module.source.size(), chunkname.c_str(),
                             "t") != LUA_OK)
          throw std::runtime_error(lua_tostring(L, -1));
        lua_pushstring(L, chunkname.c_str() + 1);
        return 2;
      }
    }
    std::string dir = lua_tostring(L, lua_upvalueindex(1));
    if (!dir.empty() && valid_module_name(name)) {
      std::string rel = name;
      std::replace(rel.begin(), rel.end(), '.', '/');
      for (const auto& candidate : {rel + ".lua", rel + "/init.lua"}) {
        std::filesystem::path path = std::filesystem::path(dir) / candidate;
        std::ifstream in(path, std::ios::binary);
        if (!in) continue;
        std::stringstream text;
        text << in.rdbuf();
        std::string source = text.str(), chunkname = "@" + path.string();
        if (luaL_loadbufferx(L, source.data(), source.size(), chunkname.c_str(), "t") != LUA_OK)
          throw std::runtime_error(lua_tostring(L, -1));
        lua_pushstring(L, path.c_str());
        return 2;
      }
    }
    std::string why = "\n\tno module '" + name + "' among Weft's modules" +
                      (dir.empty() ? std::string() : " or in the workflows folder " + dir);
    lua_pushstring(L, why.c_str());
    return 1;
  });
}

}  // namespace

void install_module_loader(lua_State* L, const std::string& workflows_dir) {
  lua_getglobal(L, "package");
  lua_createtable(L, 1, 0);
  lua_pushstring(L, workflows_dir.c_str());
  lua_pushcclosure(L, search, 1);
  lua_rawseti(L, -2, 1);
  lua_setfield(L, -2, "searchers");
  lua_pushstring(L, "");
  lua_setfield(L, -2, "path");
  lua_pushstring(L, "");
  lua_setfield(L, -2, "cpath");
  lua_pop(L, 1);
}

}  // namespace weft::dsl
