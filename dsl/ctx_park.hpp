// Helpers shared by the durable calls that park a run (sleep, wait_event,
// child): recording their open event and asking the executor to park.
#pragma once
#include "dsl/run_context.hpp"

namespace weft::dsl {

// Buffers `event` to be written with the run's next commit.
void buffer_event(RunContext& rc, engine::HistoryEvent event);

// A new history event of this run at the decision's seq and path, started now.
engine::HistoryEvent new_event(RunContext& rc, const engine::Decision& d, engine::EventKind kind,
                               const std::string& name);

// Asks the executor to park the run; wake_at is capped by the deadline.
void request_park(RunContext& rc, engine::RunStatus status, int64_t wake_at,
                  std::vector<std::string> await_events = {});

// Records `event` as pending until `fire_at` and parks the run sleeping
// until then (sleeps, rate-limit waits). Returns kYield.
int park_until(RunContext& rc, engine::HistoryEvent event, int64_t fire_at);

// "bad argument" text for durations.
int64_t duration_arg_ms(lua_State* L, int index);

}  // namespace weft::dsl
