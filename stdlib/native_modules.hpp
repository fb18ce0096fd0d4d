// The native (C++) modules of the standard library. Each module's Lua
// binding is stdlib/lua_<name>.cpp (lua_http.cpp opens weft.http;
// weft.json's is lua_json_module.cpp, apart from dsl/lua_json.cpp), beside
// the service it binds when there is one (http_client.cpp, secret_box.cpp,
// crypto_primitives.cpp, webhook_presets.cpp, smtp_client.cpp). Each open function pushes
// the module table and returns 1.
#pragma once
#include <lua.hpp>

namespace weft::stdlib {

int open_json(lua_State* L);
int open_http(lua_State* L);
int open_store(lua_State* L);
int open_blob(lua_State* L);
int open_secrets(lua_State* L);
int open_ratelimit(lua_State* L);
int open_crypto(lua_State* L);
int open_webhook(lua_State* L);
int open_email(lua_State* L);

// Makes these modules requirable (dsl/native_modules.hpp). Each program
// calls it once at start, before making a Lua state; calling again is harmless.
void register_native_modules();

}  // namespace weft::stdlib
