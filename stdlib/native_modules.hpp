// The native (C++) modules workflows can require, each opened by one
// function in the stdlib/ file named after it (stdlib/json.cpp opens
// weft.json). The function pushes the module table and returns 1.
#pragma once
#include <lua.hpp>

#include <vector>

namespace weft::stdlib {

struct NativeModule {
  const char* name;  // as given to require, e.g. "weft.json"
  lua_CFunction open;
};

int open_json(lua_State* L);
int open_http(lua_State* L);
int open_store(lua_State* L);
int open_blob(lua_State* L);
int open_secrets(lua_State* L);
int open_ratelimit(lua_State* L);
int open_crypto(lua_State* L);
int open_webhook(lua_State* L);

const std::vector<NativeModule>& native_modules();

}  // namespace weft::stdlib
