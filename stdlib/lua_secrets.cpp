// weft.secrets: reading and writing secrets (API keys, webhook URLs, OAuth
// tokens) inside steps, only those the workflow declares in `secrets`.
// Values are decrypted with the process's master key; each value read or
// set joins the run's Redactor, which keeps it out of all Weft writes.
// `weft secrets` manages them.
#include "stdlib/lua_secrets.hpp"

#include <chrono>

#include "dsl/lua_guard.hpp"
#include "stdlib/native_modules.hpp"
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
    auto sealed = rc.secrets->get_secret(name);
    if (!sealed) throw dsl::KindError("not_found", "no secret named '" + name + "'", false);
    std::string value;
    try {
      value = rc.service<const SecretKeys>()->open(name, *sealed);
    } catch (const std::exception& e) {
      throw dsl::KindError("secrets", e.what(), false);
    }
    rc.redactor.add(name, value);
    lua_pushlstring(L, value.data(), value.size());
    return 1;
  });
}

// secrets.set(name, value): e.g. a refreshed OAuth token.
int secrets_set(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string name;
    dsl::RunContext& rc = granted_run(L, "secrets.set", name);
    if (lua_type(L, 2) != LUA_TSTRING) throw dsl::ArgError(2, "secret value (string) expected");
    size_t length = 0;
    const char* data = lua_tolstring(L, 2, &length);
    std::string value(data, length);
    rc.redactor.add(name, value);
    rc.secrets->put_secret(name, rc.service<const SecretKeys>()->box().seal(name, value), now_ms());
    return 0;
  });
}

}  // namespace

dsl::Redactor declared_secrets(const dsl::SecretGrants& grants, engine::Store& store,
                               const SecretKeys* keys) {
  dsl::Redactor redactor;
  if (grants.empty() || keys == nullptr) return redactor;
  for (const std::string& name : store.secrets().secret_names()) {
    if (!grants.allows(name)) continue;
    auto sealed = store.secrets().get_secret(name);
    if (!sealed) continue;  // deleted meanwhile
    try {
      redactor.add(name, keys->open(name, *sealed));
    } catch (const std::exception&) {
      // sealed under a key this process does not have: unreadable here too
    }
  }
  return redactor;
}

int open_secrets(lua_State* L) {
  const luaL_Reg functions[] = {{"get", secrets_get}, {"set", secrets_set}, {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
