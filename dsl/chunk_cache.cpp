// The per-state bytecode cache (see chunk_cache.hpp): compile once with
// luaL_loadbufferx in text mode, lua_dump the function, then load that
// dump (binary mode, Weft's own bytes only) whenever a fresh closure is
// needed — undumping costs a fraction of parsing.
#include "dsl/chunk_cache.hpp"

#include <stdexcept>

namespace weft::dsl {
namespace {

constexpr const char* kChunks = "weft.chunks";

int append(lua_State*, const void* data, size_t size, void* out) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return 0;
}

// Pushes the registry table of bytecode strings, creating it once.
void push_cache(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kChunks) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 8);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kChunks);
}

}  // namespace

bool chunk_cached(lua_State* L, const std::string& key) {
  push_cache(L);
  lua_pushlstring(L, key.data(), key.size());
  bool cached = lua_rawget(L, -2) == LUA_TSTRING;
  lua_pop(L, 2);
  return cached;
}

void push_chunk(lua_State* L, const std::string& key, std::string_view source,
                const std::string& chunkname, int env) {
  env = lua_absindex(L, env);
  push_cache(L);
  lua_pushlstring(L, key.data(), key.size());
  if (lua_rawget(L, -2) != LUA_TSTRING) {
    lua_pop(L, 1);
    if (luaL_loadbufferx(L, source.data(), source.size(), chunkname.c_str(), "t") != LUA_OK) {
      std::string message = lua_tostring(L, -1);
      lua_pop(L, 2);
      throw std::runtime_error(message);
    }
    std::string bytecode;
    lua_dump(L, append, &bytecode, 0);  // with debug information: errors keep their lines
    lua_pop(L, 1);
    lua_pushlstring(L, bytecode.data(), bytecode.size());
    lua_pushlstring(L, key.data(), key.size());
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
  }
  size_t size = 0;
  const char* bytecode = lua_tolstring(L, -1, &size);
  int status = luaL_loadbufferx(L, bytecode, size, chunkname.c_str(), "b");
  lua_remove(L, -2);  // the bytecode string
  lua_remove(L, -2);  // the cache
  if (status != LUA_OK) {
    std::string message = lua_tostring(L, -1);
    lua_pop(L, 1);
    throw std::runtime_error(message);
  }
  lua_pushvalue(L, env);
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);  // a chunk's first upvalue is _ENV
}

}  // namespace weft::dsl
