// How a run's coroutine starts and is resumed: the functions the executor
// (and the replayer) start it with, for its body and for a saga's
// compensation, and one resume under the run's budgets.
#pragma once
#include <lua.hpp>

#include <string>

#include "dsl/lua_state.hpp"
#include "dsl/run_context.hpp"

namespace weft::dsl {

// Pushes onto `co` the entry of a run's body: it runs the workflow file
// (compiled under the version `hash`, named `chunkname` "@file") again in
// the run's environment (registry ref `env_ref`) — fresh closures, nothing
// shared with other runs — then calls run(ctx, input). Push ctx and input
// after it. Part of the first resume, so under the run's budget.
void push_body_entry(lua_State* co, int env_ref, const std::string& hash,
                     const std::string& chunkname);

// Pushes onto `co` the entry of a saga's compensation: the run's own
// weft.saga compensates ctx. Push ctx after it.
void push_compensation_entry(lua_State* co, int env_ref);

// Whether the run's ctx (at `index`) registered a saga undo; reads the
// table only, runs no workflow code.
bool saga_pending(lua_State* L, int index);

// Resumes the run's coroutine `co` (of `state`) with `nargs` values, as
// the active run, under its budgets: instructions and wall time per
// resume, memory growth. A budget exceeded dooms the run. Returns
// lua_resume's status; yielded values are popped.
int resume_run(LuaState& state, lua_State* co, RunContext& rc, int nargs);

}  // namespace weft::dsl
