// weft.store: JSON documents in named collections, with queries and
// compare-and-set by version, in the namespace of the run's tenant (none:
// the shared one). Calls go through the engine's storage interface (the
// same database as the runs). Inside steps only; "weft.*" collections are
// the engine's and refused.
#include <chrono>

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "stdlib/native_modules.hpp"
#include "stdlib/step_services.hpp"

namespace weft::stdlib {
namespace {

using dsl::ArgError;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string name_arg(lua_State* L, int index, const char* what) {
  if (lua_type(L, index) != LUA_TSTRING || lua_rawlen(L, index) == 0)
    throw ArgError(index, std::string(what) + " (non-empty string) expected");
  size_t length = 0;
  const char* data = lua_tolstring(L, index, &length);
  return std::string(data, length);
}

// The collection at argument 1: a name, not one of the engine's own.
std::string collection_arg(lua_State* L) {
  std::string collection = name_arg(L, 1, "collection");
  if (engine::reserved_collection(collection))
    throw ArgError(1, "collection names starting with 'weft.' are reserved for the engine");
  return collection;
}

void push_record(lua_State* L, const engine::Document& document) {
  lua_createtable(L, 0, 3);
  lua_pushstring(L, document.id.c_str());
  lua_setfield(L, -2, "id");
  lua_pushinteger(L, document.version);
  lua_setfield(L, -2, "version");
  dsl::push_json(L, document.doc);
  lua_setfield(L, -2, "doc");
}

// store.put(collection, id, doc [, { if_version = n }]) -> version
int store_put(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "store.put");
    std::string collection = collection_arg(L);
    std::string id = name_arg(L, 2, "id");
    if (!lua_istable(L, 3)) throw ArgError(3, "document (table) expected");
    nlohmann::json doc = dsl::lua_to_json(L, 3, "document");
    int64_t if_version = -1;
    if (lua_istable(L, 4)) {
      lua_getfield(L, 4, "if_version");
      if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
          throw ArgError(4, "if_version must be an integer >= 0 (0: only if absent)");
        if_version = lua_tointeger(L, -1);
      }
      lua_pop(L, 1);
    }
    engine::PutResult result =
        rc.documents->put_document(rc.run.tenant, collection, id, doc, if_version, now_ms());
    if (result.conflict)
      throw dsl::KindError("conflict",
                           "store.put " + collection + "/" + id + ": expected version " +
                               std::to_string(if_version) + ", found " +
                               std::to_string(result.version),
                           false);
    lua_pushinteger(L, result.version);
    return 1;
  });
}

// store.get(collection, id) -> doc, version | nil
int store_get(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "store.get");
    std::string collection = collection_arg(L);
    auto document = rc.documents->get_document(rc.run.tenant, collection, name_arg(L, 2, "id"));
    if (!document) {
      lua_pushnil(L);
      return 1;
    }
    dsl::push_json(L, document->doc);
    lua_pushinteger(L, document->version);
    return 2;
  });
}

// store.delete(collection, id) -> true if it existed
int store_delete(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "store.delete");
    std::string collection = collection_arg(L);
    lua_pushboolean(L, rc.documents->delete_document(rc.run.tenant, collection, name_arg(L, 2, "id")));
    return 1;
  });
}

// store.find(collection, { where = {...}, order = {...}, limit = n }) -> { {id, version, doc}, ... }
int store_find(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "store.find");
    std::string collection = collection_arg(L);
    engine::DocumentQuery query;
    if (lua_istable(L, 2)) {
      if (lua_getfield(L, 2, "where") != LUA_TNIL) query.where = dsl::lua_to_json(L, -1, "where");
      if (query.where.is_array() && query.where.empty()) query.where = nlohmann::json::object();
      lua_pop(L, 1);
      if (lua_getfield(L, 2, "order") == LUA_TTABLE) {
        for (const auto& field : dsl::lua_to_json(L, -1, "order")) {
          if (!field.is_string()) throw ArgError(2, "order must list field names");
          query.order.push_back(field.get<std::string>());
        }
      } else if (lua_isstring(L, -1)) {
        query.order.push_back(lua_tostring(L, -1));
      }
      lua_pop(L, 1);
      if (lua_getfield(L, 2, "limit") != LUA_TNIL) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
          throw ArgError(2, "limit must be an integer >= 0");
        query.limit = lua_tointeger(L, -1);
      }
      lua_pop(L, 1);
    }
    std::vector<engine::Document> found;
    try {
      found = rc.documents->find_documents(rc.run.tenant, collection, query);
    } catch (const std::invalid_argument& e) {
      throw ArgError(2, e.what());
    }
    lua_createtable(L, static_cast<int>(found.size()), 0);
    for (size_t i = 0; i < found.size(); ++i) {
      push_record(L, found[i]);
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    luaL_setmetatable(L, "weft.array");
    return 1;
  });
}

}  // namespace

int open_store(lua_State* L) {
  const luaL_Reg functions[] = {{"put", store_put},       {"get", store_get},
                                {"delete", store_delete}, {"find", store_find},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
