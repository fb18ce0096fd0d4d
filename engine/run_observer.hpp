// What operators see of a run's durable transitions: the engine trace
// (trace.hpp), metrics (metrics.hpp) and structured logs (log.hpp), fed
// from one place once each transition is committed, so the three never
// disagree about what happened.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "engine/store.hpp"

namespace weft::engine {

// The step attempts and sleep ends of one write, taken before it is
// submitted (the write itself moves into the committer).
struct CommittedSteps {
  struct Step {
    EventKind kind;
    std::string name;
    EventStatus status;
    int64_t seq;
    int attempt;
    int64_t duration_ms;
    std::string error;  // the error's message for a failed or retrying attempt
  };
  std::vector<Step> steps;
};

CommittedSteps committed_steps(const std::vector<Mutation>& mutations);

void observe_run_started(const Run& run, bool fresh);
// A queue gave the run (claimed at `now`) a slot.
void observe_admitted(const Run& run, int64_t now);
void observe_steps(const Run& run, const CommittedSteps& committed);
void observe_parked(const Run& run, int64_t seq, RunStatus status, int64_t wake_at);
void observe_run_ended(const Run& ended);

}  // namespace weft::engine
