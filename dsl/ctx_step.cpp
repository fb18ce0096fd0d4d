// ctx:step(name, [opts,] fn): run fn once, record its result or error, hand
// back the record on replay. Also ctx:_compensate (saga undo steps).
//
// Design: three stages on the run's coroutine.
//   begin  — ask the journal; replay returns at once; otherwise push the
//            function and let lua_pcallk call it (it may yield for I/O);
//   after  — turn the outcome into a history event and yield it to the
//            executor, which commits it durably (or parks to retry);
//   resume — after the commit, return the result or raise the error.
#include <string>

#include "dsl/ctx.hpp"
#include "dsl/ctx_names.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/redact.hpp"
#include "dsl/step_mocks.hpp"
#include "engine/trace.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

// Message handler of the step's pcall: attach a traceback to the error.
int add_traceback(lua_State* L) {
  if (lua_istable(L, 1)) {
    luaL_traceback(L, L, nullptr, 1);
    lua_setfield(L, 1, "traceback");
    lua_settop(L, 1);
    return 1;
  }
  const char* message = luaL_tolstring(L, 1, nullptr);
  push_error_object(L, "error", message, true);
  luaL_traceback(L, L, nullptr, 1);
  lua_setfield(L, -2, "traceback");
  return 1;
}

// A mocked step's function (weft test): returns upvalue 1, or raises it
// when upvalue 2 is true. Each call gets a fresh copy of an error table,
// so the traceback one call attaches is not seen by the next.
int mocked_step(lua_State* L) {
  if (!lua_toboolean(L, lua_upvalueindex(2))) {
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
  }
  push_error_json(L, lua_to_json(L, lua_upvalueindex(1), "mocked error"));
  return lua_error(L);
}

// Replaces the step function at `fn_index` when a test mocked the step.
void apply_step_mock(lua_State* L, RunContext& rc, const std::string& name, int fn_index) {
  StepMocks* mocks = rc.service<StepMocks>();
  if (mocks == nullptr) return;
  std::optional<StepOutcome> outcome = mocks->take(name);
  if (!outcome) return;
  bool raise = !outcome->error.is_null();
  push_json(L, raise ? outcome->error : outcome->result);
  lua_pushboolean(L, raise);
  lua_pushcclosure(L, mocked_step, 2);
  lua_replace(L, fn_index);
}

void note_step_end(lua_State* L, const engine::HistoryEvent& event) {
  RunLink& link = *run_link(L);
  link.last_step_ended_at = event.ended_at;
  link.last_step_seq = event.seq;
}

// Stack on entry: ctx, name, [opts,] fn.
int begin(lua_State* L, EventKind kind) {
  const char* fn_name = kind == EventKind::Step ? "step" : "_compensate";
  RunContext& rc = durable_caller(L, fn_name);
  if (lua_type(L, 2) != LUA_TSTRING) throw ArgError(2, "step name (string) expected");
  int fn_index = lua_istable(L, 3) ? 4 : 3;
  if (lua_type(L, fn_index) != LUA_TFUNCTION) throw ArgError(fn_index, "function expected");
  if (must_stop(L, rc)) return kRaise;

  std::string name = rc.redactor.clean(name_arg(L, 2, "step name"));  // to history, logs, metrics
  nlohmann::json retry_option;  // its fingerprint goes to history with the call
  if (fn_index == 4) {
    lua_getfield(L, 3, "retry");
    if (!lua_isnil(L, -1)) retry_option = lua_to_json(L, -1, "retry");
    lua_pop(L, 1);
  }
  Decision d = next_call(L, rc, kind, name, retry_option.is_null() ? "" : retry_option.dump());
  switch (d.action) {
    case Decision::Action::Mismatch:
      return raise_mismatch(L, rc, d);
    case Decision::Action::Replay:
      note_step_end(L, *d.recorded);
      return push_recorded_outcome(L, *d.recorded);
    case Decision::Action::Park:  // waiting out a retry's backoff
      request_park(rc, engine::RunStatus::Sleeping, d.wake_at);
      return kYield;
    default:
      break;
  }

  engine::RetryPolicy policy = rc.spec.retry;
  if (!retry_option.is_null()) policy = engine::parse_retry_policy(retry_option, policy);
  RunLink& link = *run_link(L);
  link.step = {d.seq, d.path, d.attempt, d.attempt_base, kind, name, policy, rc.now(), d.location,
               d.fingerprint};
  if (engine::trace_enabled())
    engine::trace("step.start run=" + rc.run.id + " seq=" + std::to_string(d.seq) + " path=" + d.path +
                  " attempt=" + std::to_string(d.attempt) + " name=" + name);
  link.in_step = true;
  link.step_name = name;
  apply_step_mock(L, rc, name, fn_index);
  lua_settop(L, fn_index);
  lua_pushcfunction(L, add_traceback);
  lua_insert(L, fn_index);  // ..., traceback handler, fn
  return kCallStep;
}

// After the step function: stack top is its result or error.
int after(lua_State* L, int status) {
  RunLink& link = *run_link(L);
  RunContext& rc = *link.run;
  const StepInProgress& step = link.step;
  link.in_step = false;
  link.step_name.clear();

  engine::HistoryEvent event;
  event.run_id = rc.run.id;
  event.seq = step.seq;
  event.path = step.path;
  event.attempt = step.attempt;
  event.kind = step.kind;
  event.name = step.name;
  event.started_at = step.started_at;
  event.ended_at = rc.now();
  event.location = step.location;
  event.fingerprint = step.fingerprint;
  event.step_key_read = step.step_key_read;
  if (status == LUA_OK || status == LUA_YIELD) {  // LUA_YIELD: fn yielded, then returned
    try {
      event.result = lua_to_json(L, -1, "result of step '" + step.name + "'");
      event.status = EventStatus::Completed;
    } catch (const std::exception& e) {
      event.error = {{"kind", "serialization"}, {"message", e.what()}, {"retryable", false}};
    }
  } else {
    event.error = error_value_to_json(L, -1);
  }
  if (rc.doomed()) event.error = *rc.doom_error;  // budget or memory exhausted inside the step
  rc.redactor.clean(event.result);  // the body gets the step's result as history has it
  rc.redactor.clean(event.error);
  if (!event.error.is_null()) {
    int counted = event.attempt - step.attempt_base;  // a redrive restarts the budget
    bool retry = step.policy.should_retry(counted, event.error);
    event.status = retry ? EventStatus::Retrying : EventStatus::Failed;
    if (retry) event.fire_at = event.ended_at + step.policy.delay_ms(counted, event.error);
  }
  rc.op = PendingOp{};
  rc.op.kind = PendingOp::Kind::StepDone;
  rc.op.event = std::move(event);
  return kYield;
}

// After the commit: hand back the result or raise the error.
int resume(lua_State* L) {
  RunContext& rc = *run_link(L)->run;
  const engine::HistoryEvent& event = rc.op.event;
  note_step_end(L, event);
  if (event.status == EventStatus::Completed) {
    push_json(L, event.result);
    return 1;
  }
  push_error_json(L, event.error);
  return kRaise;
}

int resume_k(lua_State* L, int, lua_KContext) {
  return finish_call(L, guarded(L, [](lua_State* L) { return resume(L); }), nullptr);
}

int after_k(lua_State* L, int status, lua_KContext) {
  int code = guarded(L, [status](lua_State* L) { return after(L, status); });
  return finish_call(L, code, resume_k);
}

int step_entry(lua_State* L, EventKind kind) {
  int code = guarded(L, [kind](lua_State* L) { return begin(L, kind); });
  if (code != kCallStep) return finish_call(L, code, nullptr);
  int handler = lua_gettop(L) - 1;
  int status = lua_pcallk(L, 0, 1, handler, 0, after_k);
  return after_k(L, status, 0);
}

}  // namespace

int ctx_step(lua_State* L) { return step_entry(L, EventKind::Step); }
int ctx_compensate(lua_State* L) { return step_entry(L, EventKind::Compensation); }

int ctx_step_done(lua_State* L) {
  RunLink* link = run_link(L);
  lua_pushinteger(L, link ? link->last_step_ended_at : 0);
  lua_pushinteger(L, link ? link->last_step_seq : 0);
  return 2;
}

}  // namespace weft::dsl
