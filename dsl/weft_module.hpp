// The `weft` module workflows start from: weft.workflow, weft.pipeline,
// weft.error, weft.cron, weft.webhook, weft.verify, weft.null, weft.array,
// weft.object.
#pragma once
#include <lua.hpp>

namespace weft::dsl {

int open_weft(lua_State* L);

}  // namespace weft::dsl
