// Rate-limit key arguments (see limit_keys.hpp).
#include "dsl/limit_keys.hpp"

#include "dsl/lua_guard.hpp"

namespace weft::dsl {

std::vector<std::string> limit_keys_arg(lua_State* L, int index, const engine::RateLimiter& limiter) {
  std::vector<std::string> keys;
  if (lua_type(L, index) == LUA_TSTRING) {
    keys.push_back(lua_tostring(L, index));
  } else if (lua_istable(L, index)) {
    for (lua_Integer i = 1; lua_rawgeti(L, index, i) == LUA_TSTRING; ++i) {
      keys.push_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  if (keys.empty()) throw dsl::ArgError(index, "rate-limit key (string or list of strings) expected");
  for (const auto& key : keys)
    if (limiter.levels(key).empty())
      throw dsl::ArgError(index, "no rate limit is declared for '" + key +
                                     "' (declare it in the workflow's limits)");
  return keys;
}

double limit_cost_arg(lua_State* L, int index) {
  if (!lua_istable(L, index)) return 1;
  lua_getfield(L, index, "cost");
  double cost = lua_isnil(L, -1) ? 1 : lua_tonumber(L, -1);
  bool number = lua_isnil(L, -1) || lua_isnumber(L, -1);
  lua_pop(L, 1);
  if (!number || cost <= 0) throw dsl::ArgError(index, "cost must be a number > 0");
  return cost;
}

}  // namespace weft::dsl
