// Folder modules by version (see version_modules.hpp). The registry holds
// each registered version's files, and a weak table from environment to
// version: workflow code cannot reach either, so no run can change the
// code another run of its version loads.
#include "dsl/version_modules.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/chunk_cache.hpp"
#include "engine/content_hash.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kVersions = "weft.versions";        // hash -> {module -> {file, source}}
constexpr const char* kBoundEnvs = "weft.version_of_env";  // env -> hash (weak keys)
constexpr const char* kReadFromDisk = "weft.modules_read";  // module -> {file, source}

// Pushes the registry table `name`, creating it (weak-keyed if asked).
void push_registry_table(lua_State* L, const char* name, bool weak_keys = false) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, name) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  if (weak_keys) {
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, name);
}

void push_module_file(lua_State* L, const std::string& file, const std::string& source) {
  lua_createtable(L, 0, 2);
  lua_pushlstring(L, file.data(), file.size());
  lua_setfield(L, -2, "file");
  lua_pushlstring(L, source.data(), source.size());
  lua_setfield(L, -2, "source");
}

std::string string_field(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  size_t size = 0;
  const char* text = lua_tolstring(L, -1, &size);
  std::string out = text ? std::string(text, size) : std::string();
  lua_pop(L, 1);
  return out;
}

// The version hash the environment at `env` is bound to; "" if none.
std::string bound_version(lua_State* L, int env) {
  push_registry_table(L, kBoundEnvs, true);
  lua_pushvalue(L, env);
  lua_rawget(L, -2);
  std::string hash = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 2);
  return hash;
}

bool push_from_version(lua_State* L, const std::string& name, int env, const std::string& hash) {
  int top = lua_gettop(L);
  push_registry_table(L, kVersions);
  lua_getfield(L, -1, hash.c_str());
  if (!lua_istable(L, -1) || lua_getfield(L, -1, name.c_str()) != LUA_TTABLE) {
    lua_settop(L, top);
    std::string why = "\n\tmodule '" + name +
                      "' is not part of this run's script version: require the workflows"
                      " folder's modules at the top of the workflow file, so that they are"
                      " versioned with it";
    lua_pushstring(L, why.c_str());
    return false;
  }
  std::string file = string_field(L, -1, "file");
  std::string key = "version:" + hash + ":" + file;
  std::string source = chunk_cached(L, key) ? std::string() : string_field(L, -1, "source");
  lua_settop(L, top);
  push_chunk(L, key, source, "@" + file, env);
  lua_pushstring(L, file.c_str());
  return true;
}

bool valid_module_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return name.find("..") == std::string::npos;
}

bool push_from_folder(lua_State* L, const std::string& name, int env, const std::string& dir) {
  std::string rel = name;
  std::replace(rel.begin(), rel.end(), '.', '/');
  for (const auto& candidate : {rel + ".lua", rel + "/init.lua"}) {
    std::filesystem::path path = std::filesystem::path(dir) / candidate;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::stringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    push_registry_table(L, kReadFromDisk);
    push_module_file(L, candidate, source);
    lua_setfield(L, -2, name.c_str());
    lua_pop(L, 1);
    push_chunk(L, "folder:" + path.string() + ":" + engine::sha256_hex(source), source,
               "@" + path.string(), env);
    lua_pushstring(L, path.c_str());
    return true;
  }
  return false;
}

}  // namespace

void register_version(lua_State* L, const engine::ScriptVersion& version) {
  push_registry_table(L, kVersions);
  lua_createtable(L, 0, static_cast<int>(version.modules.size()));
  for (const auto& [module, file] : version.modules) {
    auto source = version.files.find(file);
    push_module_file(L, file, source == version.files.end() ? std::string() : source->second);
    lua_setfield(L, -2, module.c_str());
  }
  lua_setfield(L, -2, version.hash.c_str());
  lua_pop(L, 1);
}

bool version_registered(lua_State* L, const std::string& hash) {
  push_registry_table(L, kVersions);
  bool found = lua_getfield(L, -1, hash.c_str()) == LUA_TTABLE;
  lua_pop(L, 2);
  return found;
}

void bind_to_version(lua_State* L, int env, const std::string& hash) {
  env = lua_absindex(L, env);
  push_registry_table(L, kBoundEnvs, true);
  lua_pushvalue(L, env);
  lua_pushlstring(L, hash.data(), hash.size());
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

bool push_folder_module(lua_State* L, const std::string& name, int env,
                        const std::string& workflows_dir) {
  env = lua_absindex(L, env);
  std::string hash = bound_version(L, env);
  if (!hash.empty()) return push_from_version(L, name, env, hash);
  if (!workflows_dir.empty() && valid_module_name(name) && push_from_folder(L, name, env, workflows_dir))
    return true;
  std::string why = "\n\tno module '" + name + "' among Weft's modules" +
                    (workflows_dir.empty() ? std::string() : " or in the workflows folder " + workflows_dir);
  lua_pushstring(L, why.c_str());
  return false;
}

std::map<std::string, ModuleFile> folder_modules_read(lua_State* L) {
  std::map<std::string, ModuleFile> out;
  push_registry_table(L, kReadFromDisk);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
      int entry = lua_gettop(L);
      out[lua_tostring(L, -2)] = {string_field(L, entry, "file"), string_field(L, entry, "source")};
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return out;
}

}  // namespace weft::dsl
