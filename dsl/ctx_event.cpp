// ctx:wait_event(name, { timeout = "1h" }): returns the payload of the
// next event of that name sent to the run, or nil, "timeout". Events sent
// before the wait are kept in the run's inbox and taken in order.
#include "dsl/ctx.hpp"
#include "dsl/ctx_names.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

int push_outcome(lua_State* L, const engine::HistoryEvent& event) {
  if (event.status == EventStatus::TimedOut) {
    lua_pushnil(L);
    lua_pushstring(L, "timeout");
    return 2;
  }
  push_json(L, event.result);
  return 1;
}

int wait_body(lua_State* L) {
  RunContext& rc = durable_caller(L, "wait_event");
  if (lua_type(L, 2) != LUA_TSTRING) throw ArgError(2, "event name (string) expected");
  int64_t timeout = 0;
  if (lua_istable(L, 3)) {
    lua_getfield(L, 3, "timeout");
    if (!lua_isnil(L, -1)) timeout = duration_arg_ms(L, lua_gettop(L));
    lua_pop(L, 1);
  } else if (!lua_isnoneornil(L, 3)) {
    throw ArgError(3, "options table expected");
  }
  if (must_stop(L, rc)) return kRaise;
  std::string name = name_arg(L, 2, "event name");
  Decision d = next_call(L, rc, EventKind::WaitEvent, name, timeout ? std::to_string(timeout) : "");
  switch (d.action) {
    case Decision::Action::Mismatch:
      return raise_mismatch(L, rc, d);
    case Decision::Action::Replay:
      return push_outcome(L, *d.recorded);
    case Decision::Action::Park:
      request_park(rc, engine::RunStatus::Waiting, d.wake_at, {name});
      return kYield;
    case Decision::Action::Complete: {
      engine::HistoryEvent done =
          d.recorded ? *d.recorded : new_event(rc, d, EventKind::WaitEvent, name);
      done.ended_at = rc.now();
      if (d.inbox) {
        done.status = EventStatus::Completed;
        done.result = d.inbox->payload;
        rc.journal.take_inbox(d.inbox->id);
        rc.buffered.push_back(engine::ConsumeInbox{rc.run.id, d.inbox->id, d.seq});
      } else {
        done.status = EventStatus::TimedOut;
      }
      buffer_event(rc, done);
      return push_outcome(L, done);
    }
    case Decision::Action::Execute:
      break;
  }
  engine::HistoryEvent event = new_event(rc, d, EventKind::WaitEvent, name);
  event.status = EventStatus::Pending;
  event.fire_at = timeout > 0 ? event.started_at + timeout : 0;
  int64_t wake_at = event.fire_at;
  buffer_event(rc, std::move(event));
  request_park(rc, engine::RunStatus::Waiting, wake_at, {name});
  return kYield;
}

}  // namespace

int ctx_wait_event(lua_State* L) { return finish_call(L, guarded(L, wait_body), nullptr); }

}  // namespace weft::dsl
