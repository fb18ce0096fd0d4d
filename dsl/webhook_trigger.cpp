// weft.webhook and weft.verify (see webhook_trigger.hpp).
#include "dsl/webhook_trigger.hpp"

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::dsl {
namespace {

const std::initializer_list<std::string_view> kTriggerFields = {"path", "verify", "event", "dedup",
                                                                 "limit", "tenant"};
const std::initializer_list<std::string_view> kVerifyFields = {
    "preset", "secret", "header", "algorithm", "encoding", "prefix", "public_key", "tolerance"};

// Throws when the table at `index` has a key outside `allowed`.
void only_fields(lua_State* L, int index, std::initializer_list<std::string_view> allowed,
                 const std::string& what) {
  for (lua_pushnil(L); lua_next(L, index); lua_pop(L, 1)) {
    bool known = false;
    if (lua_type(L, -2) == LUA_TSTRING)
      for (auto name : allowed) known |= name == lua_tostring(L, -2);
    if (!known) {
      std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "(non-string key)";
      lua_pop(L, 2);
      throw std::runtime_error(what + ": unknown field '" + key + "'");
    }
  }
}

// table[name] as a string, "" when nil.
std::string text_field(lua_State* L, int index, const char* name, const std::string& what) {
  int type = lua_getfield(L, index, name);
  std::string value = type == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  if (type != LUA_TSTRING && type != LUA_TNIL)
    throw std::runtime_error(what + "." + name + ": expected a string");
  return value;
}

engine::WebhookVerify read_verify(lua_State* L, int index) {
  only_fields(L, index, kVerifyFields, "verify");
  engine::WebhookVerify verify;
  verify.preset = text_field(L, index, "preset", "verify");
  verify.secret = text_field(L, index, "secret", "verify");
  verify.options.header = text_field(L, index, "header", "verify");
  verify.options.algorithm = text_field(L, index, "algorithm", "verify");
  verify.options.encoding = text_field(L, index, "encoding", "verify");
  verify.options.prefix = text_field(L, index, "prefix", "verify");
  verify.options.public_key = text_field(L, index, "public_key", "verify");
  int type = lua_getfield(L, index, "tolerance");
  lua_Number tolerance = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (type != LUA_TNIL) {
    if (type != LUA_TNUMBER || tolerance < 0 || tolerance > 1e9)
      throw std::runtime_error("verify.tolerance: expected seconds >= 0");
    verify.options.tolerance_seconds = static_cast<int64_t>(tolerance);
  }
  return verify;
}

// weft.verify.<preset>("secret.name") or weft.verify.<preset> { secret = ..., ... }
int verify_preset(lua_State* L) {
  return guarded(L, [](lua_State* L) {
    const char* preset = lua_tostring(L, lua_upvalueindex(1));
    if (lua_type(L, 1) == LUA_TSTRING) {
      lua_createtable(L, 0, 2);
      lua_pushvalue(L, 1);
      lua_setfield(L, -2, "secret");
    } else if (lua_istable(L, 1)) {
      lua_createtable(L, 0, 8);
      for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, -5);
      }
    } else {
      throw ArgError(1, "secret name (string) or { secret = \"name\", ... } expected");
    }
    lua_pushstring(L, preset);
    lua_setfield(L, -2, "preset");
    try {
      engine::validate_verify(read_verify(L, lua_gettop(L)));
    } catch (const std::invalid_argument& e) {
      throw ArgError(1, e.what());
    }
    return 1;
  });
}

}  // namespace

engine::WebhookSpec read_webhook_trigger(lua_State* L, int index) {
  index = lua_absindex(L, index);
  engine::WebhookSpec spec;
  spec.where = text_field(L, index, "where", "webhook");
  spec.path = text_field(L, index, "path", "webhook");
  spec.dedup = text_field(L, index, "dedup", "webhook");
  spec.tenant = text_field(L, index, "tenant", "webhook");
  int type = lua_getfield(L, index, "verify");
  if (type == LUA_TTABLE) {
    spec.verify = read_verify(L, lua_gettop(L));
  } else if (type != LUA_TBOOLEAN || lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    throw std::runtime_error("verify: required, e.g. weft.verify.github \"github.webhook\" "
                             "(or verify = false to accept unsigned deliveries)");
  }
  lua_pop(L, 1);
  type = lua_getfield(L, index, "event");
  lua_pop(L, 1);
  if (type != LUA_TFUNCTION && type != LUA_TNIL)
    throw std::runtime_error("event: expected a function(req)");
  spec.has_event = type == LUA_TFUNCTION;
  if (lua_getfield(L, index, "limit") != LUA_TNIL) {
    try {
      spec.limit = engine::parse_limit_spec("limit", lua_to_json(L, -1, "limit"));
    } catch (const std::exception& e) {
      lua_pop(L, 1);
      throw std::runtime_error(std::string("limit: expected { rate = N, per = \"1s\" } (") +
                               e.what() + ")");
    }
  }
  lua_pop(L, 1);
  try {
    engine::validate_webhook(spec);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
  return spec;
}

int lua_webhook_trigger(lua_State* L) {
  return guarded(L, [](lua_State* L) {
    luaL_where(L, 1);  // "file.lua:12: " of the weft.webhook call
    std::string where = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (where.size() >= 2 && where.compare(where.size() - 2, 2, ": ") == 0) where.resize(where.size() - 2);
    try {
      if (!lua_istable(L, 1)) throw std::runtime_error("{ path = \"/hooks/...\", verify = ..., ... } expected");
      lua_settop(L, 1);
      bool checked = declaration_checked(L);  // a run re-instantiating a loaded file
      if (!checked) only_fields(L, 1, kTriggerFields, "webhook");
      lua_createtable(L, 0, 7);
      for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 2);
      }
      lua_pushstring(L, "webhook");
      lua_setfield(L, 2, "trigger");
      lua_pushstring(L, where.c_str());
      lua_setfield(L, 2, "where");
      if (!checked) read_webhook_trigger(L, 2);  // throws with the field at fault
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(where + ": weft.webhook: " + e.what());
    }
    return 1;
  });
}

void push_verify_table(lua_State* L) {
  auto names = engine::verify_presets();
  lua_createtable(L, 0, static_cast<int>(names.size()));
  for (auto name : names) {
    lua_pushlstring(L, name.data(), name.size());
    lua_pushcclosure(L, verify_preset, 1);
    lua_setfield(L, -2, std::string(name).c_str());
  }
}

}  // namespace weft::dsl
