// weft.secrets: reading secrets (API keys, webhook URLs, OAuth tokens)
// inside steps. Values are decrypted with the process's master key; every
// value read in a step is redacted from that step's recorded result and
// error, so it never reaches history. `weft secrets` manages them.
#include <chrono>

#include "dsl/lua_guard.hpp"
#include "stdlib/native_modules.hpp"
#include "stdlib/secret_box.hpp"
#include "stdlib/step_services.hpp"

namespace weft::stdlib {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// secrets.get(name) -> value; an unknown name raises kind "not_found".
int secrets_get(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "secrets.get");
    if (lua_type(L, 1) != LUA_TSTRING) throw dsl::ArgError(1, "secret name (string) expected");
    std::string name = lua_tostring(L, 1);
    if (rc.secret_keys == nullptr) throw dsl::KindError("secrets", "no master key is configured", false);
    auto sealed = rc.store->get_secret(name);
    if (!sealed) throw dsl::KindError("not_found", "no secret named '" + name + "'", false);
    std::string value;
    try {
      value = rc.secret_keys->open(name, *sealed);
    } catch (const std::exception& e) {
      throw dsl::KindError("secrets", e.what(), false);
    }
    rc.secrets_read.push_back(value);
    lua_pushlstring(L, value.data(), value.size());
    return 1;
  });
}

// secrets.set(name, value): e.g. a refreshed OAuth token.
int secrets_set(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = step_run(L, "secrets.set");
    if (lua_type(L, 1) != LUA_TSTRING) throw dsl::ArgError(1, "secret name (string) expected");
    if (lua_type(L, 2) != LUA_TSTRING) throw dsl::ArgError(2, "secret value (string) expected");
    std::string name = lua_tostring(L, 1);
    size_t length = 0;
    const char* data = lua_tolstring(L, 2, &length);
    std::string value(data, length);
    if (rc.secret_keys == nullptr) throw dsl::KindError("secrets", "no master key is configured", false);
    rc.store->put_secret(name, rc.secret_keys->box().seal(name, value), now_ms());
    rc.secrets_read.push_back(value);
    return 0;
  });
}

}  // namespace

int open_secrets(lua_State* L) {
  const luaL_Reg functions[] = {{"get", secrets_get}, {"set", secrets_set}, {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
