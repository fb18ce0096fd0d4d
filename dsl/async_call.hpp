// The one shape of every asynchronous primitive (HTTP, rate-limit waits):
// a binding starts the work and yields the run's coroutine; when the work
// completes on the worker's loop, the executor resumes the coroutine and
// the continuation pushes the results (or raises the error).
#pragma once
#include <lua.hpp>

#include <functional>

#include "dsl/run_context.hpp"

namespace weft::dsl {

// Pushes the results of completed work onto the coroutine; returns their
// count, or kRaise with an error on top of the stack.
using AsyncPusher = std::function<int(lua_State*)>;
using AsyncComplete = std::function<void(AsyncPusher)>;

// From a binding body (inside `guarded`): `start(complete)` begins the work
// and must arrange for `complete` to be called exactly once, later. Returns
// kYield; the binding then returns finish_call(L, code, async_continuation).
int start_async(lua_State* L, RunContext& rc, const std::function<void(AsyncComplete)>& start);

int async_continuation(lua_State* L, int status, lua_KContext ctx);

}  // namespace weft::dsl
