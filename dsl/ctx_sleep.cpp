// ctx:sleep(d): a durable timer. The first time, the fire time is recorded
// and the run parks (holding no thread, no coroutine); once the time has
// come, the event is completed and the run goes on. A completed sleep is
// never slept again.
#include "dsl/ctx.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_guard.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

int sleep_body(lua_State* L) {
  RunContext& rc = durable_caller(L, "sleep");
  int64_t duration = duration_arg_ms(L, 2);
  if (must_stop(L, rc)) return kRaise;
  Decision d = next_call(L, rc, EventKind::Sleep, "sleep", std::to_string(duration));
  switch (d.action) {
    case Decision::Action::Mismatch:
      return raise_mismatch(L, rc, d);
    case Decision::Action::Replay:
      return 0;
    case Decision::Action::Complete: {
      engine::HistoryEvent done = *d.recorded;
      done.status = EventStatus::Completed;
      done.ended_at = rc.now();
      buffer_event(rc, std::move(done));
      return 0;
    }
    case Decision::Action::Park:
      request_park(rc, engine::RunStatus::Sleeping, d.wake_at);
      return kYield;
    default:
      break;
  }
  engine::HistoryEvent event = new_event(rc, d, EventKind::Sleep, "sleep");
  event.fire_at = event.started_at + duration;
  if (duration <= 0) {
    event.status = EventStatus::Completed;
    event.ended_at = event.started_at;
    buffer_event(rc, std::move(event));
    return 0;
  }
  int64_t fire_at = event.fire_at;
  return park_until(rc, std::move(event), fire_at);
}

}  // namespace

int ctx_sleep(lua_State* L) { return finish_call(L, guarded(L, sleep_body), nullptr); }

}  // namespace weft::dsl
