// Parking helpers (see ctx_park.hpp).
#include "dsl/ctx_park.hpp"

#include "dsl/ctx.hpp"
#include "dsl/lua_duration.hpp"
#include "dsl/lua_guard.hpp"

namespace weft::dsl {

void buffer_event(RunContext& rc, engine::HistoryEvent event) {
  rc.buffered.push_back(engine::PutEvent{std::move(event)});
}

engine::HistoryEvent new_event(RunContext& rc, const engine::Decision& d, engine::EventKind kind,
                               const std::string& name) {
  engine::HistoryEvent event;
  event.run_id = rc.run.id;
  event.seq = d.seq;
  event.path = d.path;
  event.kind = kind;
  event.name = name;
  event.started_at = rc.now();
  event.location = d.location;
  event.fingerprint = d.fingerprint;
  return event;
}

void request_park(RunContext& rc, engine::RunStatus status, int64_t wake_at,
                  std::vector<std::string> await_events) {
  if (rc.run.deadline && (wake_at == 0 || wake_at > rc.run.deadline)) wake_at = rc.run.deadline;
  rc.op = PendingOp{};
  rc.op.kind = PendingOp::Kind::Park;
  rc.op.park_status = status;
  rc.op.wake_at = wake_at;
  rc.op.await_events = std::move(await_events);
}

int park_until(RunContext& rc, engine::HistoryEvent event, int64_t fire_at) {
  event.status = engine::EventStatus::Pending;
  event.fire_at = fire_at;
  buffer_event(rc, std::move(event));
  request_park(rc, engine::RunStatus::Sleeping, fire_at);
  return kYield;
}

int64_t duration_arg_ms(lua_State* L, int index) {
  if (auto ms = to_duration_ms(L, index)) return *ms;
  throw ArgError(index, "duration expected (seconds, or a string like \"10s\")");
}

}  // namespace weft::dsl
