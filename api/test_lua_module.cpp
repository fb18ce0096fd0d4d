// require("weft.test"): test.case registers a test; test.eq, ok, match,
// raises and fail assert, raising "file:line: message" at the caller.
#include <set>

#include "api/lua_compare.hpp"
#include "api/test_lua.hpp"
#include "dsl/lua_json.hpp"
#include "stdlib/crypto_primitives.hpp"

namespace weft::api {
namespace {

constexpr const char* kFileKey = "weft.test.file";

TestFile& test_file(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kFileKey);
  auto* file = static_cast<TestFile*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *file;
}

// The optional message argument, as a prefix: "message: ".
std::string prefix(lua_State* L, int index) {
  if (lua_isnoneornil(L, index)) return "";
  return std::string(luaL_tolstring(L, index, nullptr)) + ": ";
}

int test_case(lua_State* L) {
  luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  return located(L, [](lua_State* L) {
    TestFile& file = test_file(L);
    std::string name = lua_tostring(L, 1);
    for (const auto& existing : file.cases)
      if (existing.name == name) throw std::runtime_error("a test named '" + name + "' is already in this file");
    lua_pushvalue(L, 2);
    file.cases.push_back({name, luaL_ref(L, LUA_REGISTRYINDEX)});
    return 0;
  });
}

int test_eq(lua_State* L) {
  luaL_checkany(L, 2);
  return located(L, [](lua_State* L) {
    std::string difference = describe_difference(L, 1, 2);
    if (!difference.empty()) throw std::runtime_error(prefix(L, 3) + difference);
    return 0;
  });
}

int test_ok(lua_State* L) {
  luaL_checkany(L, 1);
  return located(L, [](lua_State* L) {
    if (!lua_toboolean(L, 1))
      throw std::runtime_error(prefix(L, 2) + "expected a true value, got " + render_lua_value(L, 1));
    lua_settop(L, 1);
    return 1;
  });
}

int test_match(lua_State* L) {
  luaL_checkstring(L, 2);
  lua_settop(L, 3);
  bool found = false;
  if (lua_type(L, 1) == LUA_TSTRING) {  // before any C++ object: a bad pattern raises here
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "find");
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
    found = !lua_isnil(L, -1);
    lua_settop(L, 3);
  }
  return located(L, [found](lua_State* L) {
    if (lua_type(L, 1) != LUA_TSTRING)
      throw std::runtime_error(prefix(L, 3) + "expected a string matching " + render_lua_value(L, 2) + ", got " +
                               render_lua_value(L, 1));
    if (!found)
      throw std::runtime_error(prefix(L, 3) + render_lua_value(L, 1) + " does not match " + render_lua_value(L, 2));
    lua_settop(L, 1);
    return 1;
  });
}

// test.raises(fn [, pattern]): calls fn, which must raise; returns the error.
int test_raises(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 2);
  lua_pushvalue(L, 1);
  int status = lua_pcall(L, 0, 0, 0);  // the error (if any) at index 3
  return located(L, [status](lua_State* L) {
    if (status == LUA_OK) throw std::runtime_error("expected the function to raise an error; it returned");
    if (!lua_isnil(L, 2)) {
      lua_getglobal(L, "tostring");
      lua_pushvalue(L, 3);
      lua_call(L, 1, 1);
      if (lua_istable(L, 3)) {  // a weft.error: match its message
        lua_getfield(L, 3, "message");
        if (lua_isstring(L, -1)) lua_replace(L, -2);
        else lua_pop(L, 1);
      }
      lua_getglobal(L, "string");
      lua_getfield(L, -1, "find");
      lua_pushvalue(L, -3);
      lua_pushvalue(L, 2);
      lua_call(L, 2, 1);
      if (lua_isnil(L, -1))
        throw std::runtime_error("the error " + render_lua_value(L, -3) + " does not match " + render_lua_value(L, 2));
    }
    lua_settop(L, 3);
    return 1;
  });
}

int test_fail(lua_State* L) {
  return located(L, [](lua_State* L) -> int {
    throw std::runtime_error(lua_isnoneornil(L, 1) ? "failed" : luaL_tolstring(L, 1, nullptr));
  });
}

// test.hmac(alg, key, data): lower-case hex, to sign a webhook delivery.
int test_hmac(lua_State* L) {
  luaL_checkstring(L, 1);
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  return located(L, [](lua_State* L) {
    size_t key_len = 0, data_len = 0;
    const char* key = lua_tolstring(L, 2, &key_len);
    const char* data = lua_tolstring(L, 3, &data_len);
    std::string mac = stdlib::crypto::hex_encode(
        stdlib::crypto::hmac(lua_tostring(L, 1), {key, key_len}, {data, data_len}));
    lua_pushlstring(L, mac.data(), mac.size());
    return 1;
  });
}

int open_test_module(lua_State* L) {
  const luaL_Reg functions[] = {{"case", test_case},   {"eq", test_eq},     {"ok", test_ok},
                                {"match", test_match}, {"raises", test_raises}, {"fail", test_fail},
                                {"hmac", test_hmac},   {nullptr, nullptr}};
  luaL_newlib(L, functions);
  dsl::push_null(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace

std::string caller_where(lua_State* L) {
  luaL_where(L, 1);
  std::string where = lua_tostring(L, -1);
  lua_pop(L, 1);
  return where;
}

void install_test_module(lua_State* L, TestFile& file) {
  lua_pushlightuserdata(L, &file);
  lua_setfield(L, LUA_REGISTRYINDEX, kFileKey);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, open_test_module);
  lua_setfield(L, -2, "weft.test");
  lua_pop(L, 1);
}

}  // namespace weft::api
