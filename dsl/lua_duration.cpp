#include "dsl/lua_duration.hpp"

#include <stdexcept>

#include "engine/duration.hpp"

namespace weft::dsl {

std::optional<int64_t> to_duration_ms(lua_State* L, int index) {
  try {
    if (lua_type(L, index) == LUA_TNUMBER) return engine::seconds_to_ms(lua_tonumber(L, index));
    if (lua_type(L, index) == LUA_TSTRING) return engine::parse_duration_ms(lua_tostring(L, index));
  } catch (const std::invalid_argument&) {
  }
  return std::nullopt;
}

}  // namespace weft::dsl
