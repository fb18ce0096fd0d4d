// weft.webhook: webhook.verify(preset, request, options) for Lua, over
// stdlib/webhook_presets.hpp. Presets that check a timestamp read the clock
// unless options.now is given, and may then only run inside a step.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "dsl/lua_guard.hpp"
#include "dsl/thread_link.hpp"
#include "stdlib/native_modules.hpp"
#include "stdlib/webhook_presets.hpp"

namespace weft::stdlib {
namespace {

namespace w = webhook;

// Pushes table[name] without metamethods; returns its type.
int field(lua_State* L, int table, const char* name) {
  lua_pushstring(L, name);
  return lua_rawget(L, table);
}

// table[name] as a string ("" when nil); anything else is misuse of `arg`.
std::string string_field(lua_State* L, int arg, const char* prefix, const char* name) {
  int type = field(L, arg, name);
  if (type != LUA_TNIL && !lua_isstring(L, -1))
    throw dsl::ArgError(arg, std::string(prefix) + name + " must be a string");
  size_t len = 0;
  const char* s = type == LUA_TNIL ? "" : lua_tolstring(L, -1, &len);
  std::string value(s, len);
  lua_pop(L, 1);
  return value;
}

w::Headers headers_field(lua_State* L, int arg) {
  w::Headers headers;
  int type = field(L, arg, "headers");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return headers;
  }
  if (type != LUA_TTABLE) throw dsl::ArgError(arg, "request.headers must be a table");
  for (lua_pushnil(L); lua_next(L, -2) != 0; lua_pop(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
      throw dsl::ArgError(arg, "request.headers must map names to strings");
    headers[lua_tostring(L, -2)] = lua_tostring(L, -1);
  }
  lua_pop(L, 1);
  return headers;
}

w::Request request_arg(lua_State* L, int arg) {
  if (!lua_istable(L, arg)) throw dsl::ArgError(arg, "request table expected");
  return {string_field(L, arg, "request.", "method"), string_field(L, arg, "request.", "url"),
          headers_field(L, arg), string_field(L, arg, "request.", "body")};
}

// options[name] as a whole number of seconds >= 0, or nullopt when nil.
std::optional<std::int64_t> seconds_field(lua_State* L, int arg, const char* name) {
  int type = field(L, arg, name);
  lua_Number value = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (type == LUA_TNIL) return std::nullopt;
  if (type != LUA_TNUMBER || value < 0 || value > 1e15)
    throw dsl::ArgError(arg, std::string("options.") + name + " must be a number of seconds >= 0");
  return static_cast<std::int64_t>(value);
}

w::Options options_arg(lua_State* L, int arg) {
  w::Options options;
  if (lua_isnoneornil(L, arg)) return options;
  if (!lua_istable(L, arg)) throw dsl::ArgError(arg, "options table expected");
  options.secret = string_field(L, arg, "options.", "secret");
  options.header = string_field(L, arg, "options.", "header");
  options.algorithm = string_field(L, arg, "options.", "algorithm");
  options.encoding = string_field(L, arg, "options.", "encoding");
  options.prefix = string_field(L, arg, "options.", "prefix");
  options.public_key = string_field(L, arg, "options.", "public_key");
  options.tolerance_seconds = seconds_field(L, arg, "tolerance").value_or(options.tolerance_seconds);
  options.now_seconds = seconds_field(L, arg, "now");
  return options;
}

int webhook_verify(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    if (lua_type(L, 1) != LUA_TSTRING) throw dsl::ArgError(1, "preset name expected");
    std::string preset = lua_tostring(L, 1);
    w::Request request = request_arg(L, 2);
    w::Options options = options_arg(L, 3);
    if (!options.now_seconds && engine::preset_uses_clock(preset)) dsl::require_step(L, "webhook.verify without options.now");
    w::Verdict verdict;
    try {
      verdict = w::verify(preset, request, options);
    } catch (const std::invalid_argument& e) {
      throw dsl::ArgError(1, e.what());
    }
    lua_pushboolean(L, verdict.ok);
    if (verdict.ok) return 1;
    lua_pushlstring(L, verdict.reason.data(), verdict.reason.size());
    return 2;
  });
}

}  // namespace

int open_webhook(lua_State* L) {
  const luaL_Reg functions[] = {{"verify", webhook_verify}, {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
