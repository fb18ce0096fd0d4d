// Durations given from Lua: a number of seconds or a string like "10s"
// (engine/duration.hpp). The one reader of them; callers word the error.
#pragma once
#include <lua.hpp>

#include <cstdint>
#include <optional>

namespace weft::dsl {

// The value at `index` in ms; nullopt when it is neither a number nor a
// string, or does not read as a duration.
std::optional<int64_t> to_duration_ms(lua_State* L, int index);

}  // namespace weft::dsl
