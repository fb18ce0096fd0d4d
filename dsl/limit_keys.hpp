// Reading rate-limit keys from Lua: one key ("salesforce:create") or a
// list of keys, each naming its hierarchy of declared limits.
#pragma once
#include <lua.hpp>

#include <string>
#include <vector>

#include "engine/rate_limiter.hpp"

namespace weft::dsl {

// Keys at `index`; throws dsl::ArgError when absent or when no limit is
// declared for any level of a key (a typo would otherwise never wait).
std::vector<std::string> limit_keys_arg(lua_State* L, int index, const engine::RateLimiter& limiter);

// `cost` field of the options table at `index` (default 1).
double limit_cost_arg(lua_State* L, int index);

}  // namespace weft::dsl
