// The ctx object handed to a workflow's run function, and the pieces every
// durable ctx function shares.
//
// Design (one yield shape): a durable function checks its arguments and
// its caller, asks the journal, and either returns at once (replay,
// recorded values) or stores a PendingOp on the RunContext and yields.
// Only the executor resumes a run's coroutine. Bodies run inside
// `guarded` and return a count of results or one of the codes below; the
// yield or raise happens after the body's C++ objects are gone.
#pragma once
#include <lua.hpp>

#include "dsl/run_context.hpp"

namespace weft::dsl {

constexpr int kYield = -1;     // yield (continuation given by the caller)
constexpr int kRaise = -2;     // raise the value on top of the stack
constexpr int kCallStep = -3;  // call the step function on top of the stack

// Pushes a new ctx table for `rc` (fields run_id, workflow; methods).
void push_ctx(lua_State* L, RunContext& rc);

// The run behind a durable call `ctx:fn(...)`: checks that arg 1 is a ctx,
// that the caller is a run's own coroutine, and not inside a step.
RunContext& durable_caller(lua_State* L, const char* fn);

// The journal's decision for the next durable call made on L's coroutine,
// with the call's source location (the nearest frame of the workflow's
// own files) and the fingerprint of `options` (what the call was given
// besides its name, as text; "" for none) filled in.
engine::Decision next_call(lua_State* L, RunContext& rc, engine::EventKind kind,
                           std::string_view name, std::string_view options = {});

// "file:line" of the nearest caller in the workflow's own files (frames
// of Weft's embedded weft/*.lua skipped), and its stack level in
// `level`; "" if none.
std::string call_location(lua_State* L, int* level = nullptr);

// Dooms the run if it was cancelled or passed its deadline; true when the
// run must stop (its error is then pushed and the caller returns kRaise).
bool must_stop(lua_State* L, RunContext& rc);

// Pushes the run's doom error after `rc.doom(...)`, for `return kRaise`.
int raise_doom(lua_State* L, RunContext& rc);

// Dooms the run for a journal mismatch and pushes the error (kRaise).
int raise_mismatch(lua_State* L, RunContext& rc, const engine::Decision& decision);

// A final recorded outcome: pushes its result (returns 1) or its error
// (returns kRaise).
int push_recorded_outcome(lua_State* L, const engine::HistoryEvent& event);

inline int finish_call(lua_State* L, int code, lua_KFunction k) {
  if (code == kYield) return lua_yieldk(L, 0, 0, k);
  if (code == kRaise) return lua_error(L);
  return code;
}

// The ctx methods, one file each.
int ctx_step(lua_State* L);
int ctx_compensate(lua_State* L);
// ctx:_step_done() -> ended_at, seq of the last step that ended on the
// calling coroutine (for weft.saga).
int ctx_step_done(lua_State* L);
int ctx_sleep(lua_State* L);
int ctx_wait_event(lua_State* L);
int ctx_child(lua_State* L);
int ctx_start(lua_State* L);
int ctx_now(lua_State* L);
int ctx_uuid(lua_State* L);
int ctx_random(lua_State* L);
int ctx_acquire(lua_State* L);
int ctx_all(lua_State* L);
int ctx_all_settled(lua_State* L);
int ctx_map(lua_State* L);

}  // namespace weft::dsl
