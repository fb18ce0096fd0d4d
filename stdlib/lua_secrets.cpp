// weft.secrets: reading and writing secrets (API keys, webhook URLs, OAuth
// tokens) inside steps, only those the workflow declares in `secrets`, in
// the namespace of the run's tenant (none: the shared one). Values are
// decrypted with the process's master key; each value read or written
// joins the run's Redactor, which keeps it out of all Weft writes.
// secrets.list describes secrets (expiry, meta) without their values.
// `weft secrets` manages them.
#include "stdlib/lua_secrets.hpp"

#include <chrono>

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/json_limits.hpp"
#include "stdlib/native_modules.hpp"
#include "stdlib/secret_records.hpp"
#include "stdlib/step_services.hpp"

namespace weft::stdlib {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The calling run and the secret name at argument 1, which its workflow
// must declare; throws kind "forbidden" naming both otherwise.
dsl::RunContext& granted_run(lua_State* L, const char* function_name, std::string& name) {
  dsl::RunContext& rc = step_run(L, function_name);
  if (lua_type(L, 1) != LUA_TSTRING) throw dsl::ArgError(1, "secret name (string) expected");
  size_t length = 0;
  const char* data = lua_tolstring(L, 1, &length);
  name.assign(data, length);
  if (!engine::valid_secret_name(name))
    throw dsl::ArgError(1, "invalid secret name (1-256 bytes, no control characters)");
  if (!rc.spec.secrets.allows(name))
    throw dsl::KindError("forbidden",
                         std::string(function_name) + ": workflow '" + rc.spec.name +
                             "' does not declare secret '" + name +
                             "' (add it to secrets = { ... } in weft.workflow)",
                         false);
  if (rc.service<const SecretKeys>() == nullptr)
    throw dsl::KindError("secrets", "no master key is configured", false);
  return rc;
}

// secrets.get(name) -> value; an unknown name raises kind "not_found".
int secrets_get(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string name;
    dsl::RunContext& rc = granted_run(L, "secrets.get", name);
    std::optional<std::string> value;
    try {
      value = open_secret_value(*rc.secrets, *rc.service<const SecretKeys>(), rc.run.tenant, name);
    } catch (const std::runtime_error& e) {
      throw dsl::KindError("secrets", e.what(), false);
    }
    if (!value) throw dsl::KindError("not_found", "no secret named '" + name + "'", false);
    rc.redactor.add(name, *value);
    lua_pushlstring(L, value->data(), value->size());
    return 1;
  });
}

// The field `key` of the table at `index`, read raw (no metamethod runs
// while C++ objects are alive), pushed.
int raw_field(lua_State* L, int index, const char* key) {
  lua_pushstring(L, key);
  return lua_rawget(L, index);
}

// secrets.put(name, value [, { expires_at = unix seconds | "RFC 3339", meta = {...} }])
// and secrets.set(name, value): store the value with its expiry and meta
// (both replaced: set is put without options).
int put_value(lua_State* L, const char* function_name) {
  std::string name;
  dsl::RunContext& rc = granted_run(L, function_name, name);
  if (lua_type(L, 2) != LUA_TSTRING) throw dsl::ArgError(2, "secret value (string) expected");
  size_t length = 0;
  const char* data = lua_tolstring(L, 2, &length);
  std::string value(data, length);
  rc.redactor.add(name, value);  // before anything below can echo it
  engine::SecretInfo info;
  info.name = name;
  info.updated_at = now_ms();
  if (!lua_isnoneornil(L, 3)) {
    if (!lua_istable(L, 3)) throw dsl::ArgError(3, "options (table) expected");
    try {
      if (raw_field(L, 3, "expires_at") != LUA_TNIL)
        info.expires_at = secret_expiry_ms(dsl::lua_to_json(L, -1, "expires_at"));
      lua_pop(L, 1);
      nlohmann::json meta;
      if (raw_field(L, 3, "meta") != LUA_TNIL) meta = dsl::lua_to_json(L, -1, "meta");
      lua_pop(L, 1);
      if (meta.is_array() && meta.empty()) meta = nlohmann::json::object();  // {} reads as a list
      info.meta = secret_meta_text(meta, value);
    } catch (const std::invalid_argument& e) {
      throw dsl::ArgError(3, e.what());
    }
  }
  put_secret_value(*rc.secrets, *rc.service<const SecretKeys>(), rc.run.tenant, info, value);
  return 0;
}

int secrets_put(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) { return put_value(L, "secrets.put"); });
}

int secrets_set(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    lua_settop(L, 2);  // no options: no expiry, no meta
    return put_value(L, "secrets.set");
  });
}

// secrets.list([prefix]) -> { { name, expires_at, updated_at, meta }, ... }:
// the declared secrets of the run's namespace whose name starts with
// prefix, in name order; times in unix seconds, expires_at nil when none.
int secrets_list(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "secrets.list");
    std::string prefix;
    if (!lua_isnoneornil(L, 1)) {
      if (lua_type(L, 1) != LUA_TSTRING) throw dsl::ArgError(1, "prefix (string) expected");
      prefix = lua_tostring(L, 1);
    }
    std::vector<engine::SecretInfo> listed;
    if (!rc.spec.secrets.empty())
      for (auto& info : rc.secrets->list_secrets(rc.run.tenant, prefix))
        if (rc.spec.secrets.allows(info.name)) listed.push_back(std::move(info));
    lua_createtable(L, static_cast<int>(listed.size()), 0);
    for (size_t i = 0; i < listed.size(); ++i) {
      lua_createtable(L, 0, 4);
      lua_pushlstring(L, listed[i].name.data(), listed[i].name.size());
      lua_setfield(L, -2, "name");
      if (listed[i].expires_at > 0) {
        lua_pushinteger(L, listed[i].expires_at / 1000);
        lua_setfield(L, -2, "expires_at");
      }
      lua_pushinteger(L, listed[i].updated_at / 1000);
      lua_setfield(L, -2, "updated_at");
      dsl::push_json(L, engine::parse_json(listed[i].meta, engine::kMaxStoredJsonDepth));
      lua_setfield(L, -2, "meta");
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    luaL_setmetatable(L, "weft.array");
    return 1;
  });
}

}  // namespace

dsl::Redactor declared_secrets(const dsl::SecretGrants& grants, const std::string& tenant,
                               engine::Store& store, const SecretKeys* keys) {
  dsl::Redactor redactor;
  if (grants.empty() || keys == nullptr) return redactor;
  for (const engine::SecretInfo& info : store.secrets().list_secrets(tenant)) {
    if (!grants.allows(info.name)) continue;
    try {
      if (auto value = open_secret_value(store.secrets(), *keys, tenant, info.name))
        redactor.add(info.name, *value);  // none: deleted meanwhile
    } catch (const std::runtime_error&) {
      // sealed under a key this process does not have: unreadable here too
    }
  }
  return redactor;
}

int open_secrets(lua_State* L) {
  const luaL_Reg functions[] = {{"get", secrets_get},
                                {"set", secrets_set},
                                {"put", secrets_put},
                                {"list", secrets_list},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
