// Deterministic replacements for os.time, os.clock, os.date and
// math.random. In a workflow body they return recorded values (the same
// on replay as when first run); inside a step, or outside any run, they
// return the real values.
#pragma once
#include <lua.hpp>

namespace weft::dsl {

int lua_recorded_time(lua_State* L);
int lua_recorded_clock(lua_State* L);
int lua_recorded_date(lua_State* L);
int lua_recorded_random(lua_State* L);

}  // namespace weft::dsl
