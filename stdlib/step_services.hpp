// What data primitives (weft.store, weft.blob, weft.secrets) need first:
// the run whose step is calling, with its services.
#pragma once
#include <lua.hpp>

#include "dsl/run_context.hpp"

namespace weft::stdlib {

// The calling run, checked: inside a workflow's step (throws with
// `function_name` otherwise; use inside dsl::guarded).
dsl::RunContext& step_run(lua_State* L, const char* function_name);

}  // namespace weft::stdlib
