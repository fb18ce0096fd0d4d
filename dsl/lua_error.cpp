// weft.error values (see lua_error.hpp).
#include "dsl/lua_error.hpp"

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/utf8.hpp"

namespace weft::dsl {
namespace {

const char* const kErrorMeta = "weft.error";

int error_tostring(lua_State* L) {
  lua_getfield(L, 1, "kind");
  lua_getfield(L, 1, "message");
  lua_pushfstring(L, "%s: %s", luaL_optstring(L, -2, "error"), luaL_optstring(L, -1, "?"));
  return 1;
}

void set_string(lua_State* L, const char* key, const std::string& value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

// Error values must always be recordable: strings that are not UTF-8 are
// repaired (U+FFFD), never refused, so an error can never stall its run.
std::string message_of(lua_State* L, int index) {
  size_t len = 0;
  const char* text = luaL_tolstring(L, index, &len);
  std::string message = text ? engine::sanitize_utf8({text, len}) : "?";
  lua_pop(L, 1);
  return message;
}

}  // namespace

void install_error_metatable(lua_State* L) {
  luaL_newmetatable(L, kErrorMeta);
  lua_pushcfunction(L, error_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
}

void push_error_object(lua_State* L, const std::string& kind, const std::string& message,
                       bool retryable) {
  lua_createtable(L, 0, 4);
  set_string(L, "kind", kind);
  set_string(L, "message", message);
  lua_pushboolean(L, retryable);
  lua_setfield(L, -2, "retryable");
  luaL_setmetatable(L, kErrorMeta);
}

int lua_make_error(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "message");
  if (!lua_isstring(L, -1)) return luaL_argerror(L, 1, "field 'message' (string) expected");
  lua_getfield(L, 1, "kind");
  if (!lua_isnil(L, -1) && !lua_isstring(L, -1))
    return luaL_argerror(L, 1, "field 'kind' must be a string");
  lua_pop(L, 2);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, 1)) {  // copy every field, so details travel along
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  if (lua_getfield(L, -1, "kind") == LUA_TNIL) {
    lua_pushstring(L, "error");
    lua_setfield(L, -3, "kind");
  }
  lua_pop(L, 1);
  if (lua_getfield(L, -1, "retryable") == LUA_TNIL) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -3, "retryable");
  }
  lua_pop(L, 1);
  luaL_setmetatable(L, kErrorMeta);
  return 1;
}

nlohmann::json error_value_to_json(lua_State* L, int index) {
  index = lua_absindex(L, index);
  nlohmann::json out = nlohmann::json::object();
  if (lua_istable(L, index)) {
    try {
      out = lua_to_json(L, index, "error", InvalidUtf8::Replace);
    } catch (const std::exception&) {
      lua_settop(L, index);
    }
    if (!out.is_object()) out = nlohmann::json::object();
    if (!out.contains("message")) out["message"] = message_of(L, index);
    if (!out.contains("kind")) out["kind"] = "error";
  } else {
    out["kind"] = "error";
    out["message"] = message_of(L, index);
  }
  if (!out.contains("retryable")) out["retryable"] = true;
  return out;
}

void push_error_json(lua_State* L, const nlohmann::json& error) {
  push_json(L, error);
  luaL_setmetatable(L, kErrorMeta);
}

}  // namespace weft::dsl
