// weft.json: encode and decode JSON from Lua with the same rules as step
// results (see dsl/lua_json.hpp). Pure functions, allowed anywhere.
#include <nlohmann/json.hpp>

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/json_limits.hpp"
#include "stdlib/native_modules.hpp"

namespace weft::stdlib {
namespace {

int json_encode(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    luaL_checkany(L, 1);
    bool pretty = lua_istable(L, 2) && (lua_getfield(L, 2, "pretty"), lua_toboolean(L, -1));
    std::string text = dsl::lua_to_json(L, 1).dump(pretty ? 2 : -1);
    lua_pushlstring(L, text.data(), text.size());
    return 1;
  });
}

int json_decode(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    nlohmann::json value;
    try {
      value = engine::parse_json({text, len});
    } catch (const engine::JsonTextError& e) {
      throw dsl::KindError("json", e.code == engine::JsonTextError::Code::TooDeep
                                       ? e.what()
                                       : std::string("invalid JSON text: ") + e.what(),
                           false);
    }
    dsl::push_json(L, value);
    return 1;
  });
}

}  // namespace

int open_json(lua_State* L) {
  const luaL_Reg functions[] = {{"encode", json_encode}, {"decode", json_decode}, {nullptr, nullptr}};
  luaL_newlib(L, functions);
  dsl::push_null(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace weft::stdlib
