// weft.blob: objects by path (e.g. "raw/2026/11/22/<id>.json") kept through
// the engine's storage interface, for raw payloads and exports, in the
// namespace of the run's tenant (none: the shared one). Inside steps only;
// objects are limited to 25 MiB each.
#include <chrono>

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/blob_store.hpp"
#include "stdlib/native_modules.hpp"
#include "stdlib/step_services.hpp"

namespace weft::stdlib {
namespace {

using dsl::ArgError;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// A blob path (engine::valid_blob_path) at `index`.
std::string path_arg(lua_State* L, int index, bool allow_empty) {
  if (lua_type(L, index) != LUA_TSTRING) throw ArgError(index, "path (string) expected");
  size_t length = 0;
  const char* data = lua_tolstring(L, index, &length);
  std::string path(data, length);  // a NUL inside is kept, and refused below
  if (!engine::valid_blob_path(path, allow_empty))
    throw ArgError(index, "invalid path '" + path + "' (relative, no '..' or '//')");
  return path;
}

// blob.put(path, bytes_or_table [, { content_type = "..." }]) -> size
int blob_put(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "blob.put");
    engine::Blob blob;
    blob.path = path_arg(L, 1, false);
    if (lua_type(L, 2) == LUA_TSTRING) {
      size_t length = 0;
      const char* data = lua_tolstring(L, 2, &length);
      blob.data.assign(data, length);
      blob.content_type = "application/octet-stream";
    } else if (lua_istable(L, 2)) {
      blob.data = dsl::lua_to_json(L, 2, "blob").dump();
      blob.content_type = "application/json";
    } else {
      throw ArgError(2, "bytes (string) or a table (stored as JSON) expected");
    }
    if (lua_istable(L, 3)) {
      lua_getfield(L, 3, "content_type");
      if (lua_isstring(L, -1)) blob.content_type = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    if (static_cast<int64_t>(blob.data.size()) > engine::kMaxBlobBytes)
      throw dsl::KindError("too_large", "blob.put " + blob.path + ": " +
                                            std::to_string(blob.data.size()) +
                                            " bytes exceed the limit of 25 MiB", false);
    blob.size = static_cast<int64_t>(blob.data.size());
    blob.updated_at = now_ms();
    rc.blobs->put_blob(rc.run.tenant, blob);
    lua_pushinteger(L, blob.size);
    return 1;
  });
}

// blob.get(path) -> bytes, content_type | nil
int blob_get(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "blob.get");
    auto blob = rc.blobs->get_blob(rc.run.tenant, path_arg(L, 1, false));
    if (!blob) {
      lua_pushnil(L);
      return 1;
    }
    lua_pushlstring(L, blob->data.data(), blob->data.size());
    lua_pushstring(L, blob->content_type.c_str());
    return 2;
  });
}

// blob.list(prefix [, { limit = 1000 }]) -> { { path, size, content_type, updated_at }, ... }
int blob_list(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "blob.list");
    std::string prefix = lua_isnoneornil(L, 1) ? std::string() : path_arg(L, 1, true);
    int64_t limit = 1000;
    if (lua_istable(L, 2)) {
      lua_getfield(L, 2, "limit");
      if (lua_isinteger(L, -1)) limit = lua_tointeger(L, -1);
      lua_pop(L, 1);
    }
    auto blobs = rc.blobs->list_blobs(rc.run.tenant, prefix, limit);
    lua_createtable(L, static_cast<int>(blobs.size()), 0);
    for (size_t i = 0; i < blobs.size(); ++i) {
      lua_createtable(L, 0, 4);
      lua_pushstring(L, blobs[i].path.c_str());
      lua_setfield(L, -2, "path");
      lua_pushinteger(L, blobs[i].size);
      lua_setfield(L, -2, "size");
      lua_pushstring(L, blobs[i].content_type.c_str());
      lua_setfield(L, -2, "content_type");
      lua_pushinteger(L, blobs[i].updated_at);
      lua_setfield(L, -2, "updated_at");
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    luaL_setmetatable(L, "weft.array");
    return 1;
  });
}

// blob.delete(path) -> true if it existed
int blob_delete(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "blob.delete");
    lua_pushboolean(L, rc.blobs->delete_blob(rc.run.tenant, path_arg(L, 1, false)));
    return 1;
  });
}

}  // namespace

int open_blob(lua_State* L) {
  const luaL_Reg functions[] = {{"put", blob_put},   {"get", blob_get},       {"list", blob_list},
                                {"delete", blob_delete}, {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
