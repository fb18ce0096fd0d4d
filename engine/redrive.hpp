// Redriving a failed run (weft retry, POST /v1/runs/{id}/retry): the run
// goes back to pending and replays its history; its completed steps are
// not executed again.
//
// Design: history is append-only, so a redrive does not erase the failure.
// When the run's last recorded event is a step (or compensation) that
// failed for good, a marker event (status `redriven`) is appended at that
// step's next attempt; the journal then treats the failure as superseded
// and executes the step again at the attempt after the marker, with a
// fresh retry budget. Without such a step (the failure came from workflow
// code after its last durable call) no marker is needed: replay reaches
// that code again. The marker and the status change commit together, and
// only while the run is still failed, so concurrent redrives make one.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/history_event.hpp"
#include "engine/store.hpp"

namespace weft::engine {

enum class RetryOutcome {
  NotFound,
  NotFailed,  // only failed runs are redriven (not compensated or cancelled)
  ChildRun,   // a child's failure belongs to its parent: redrive the parent
  Retried,    // pending again, due now
};

// The step failures a redrive supersedes, each a step or compensation that
// failed for good as the last call of its coroutine: the body's last call,
// or, when the run failed inside ctx:all (no body call after it), the last
// call of each branch that did. A failure a branch handled and went on from
// is not one of them.
std::vector<HistoryEvent> failed_steps(const std::vector<HistoryEvent>& history);

// The failure that ended the run, for listings: the latest of failed_steps.
std::optional<HistoryEvent> failed_step(const std::vector<HistoryEvent>& history);

// Why `run` cannot be redriven (NotFailed, ChildRun), or nullopt if it can.
std::optional<RetryOutcome> redrive_refusal(const Run& run);

// The marker events a redrive of a run with `history` appends at `now`:
// one per failed step (failed_steps), at its next attempt.
std::vector<HistoryEvent> redrive_markers(const std::vector<HistoryEvent>& history, int64_t now);

// Redrives the run; with `script_hash`, on that version from now on (its
// replay checked by the caller: weft retry --latest).
RetryOutcome redrive_run(Store& store, const std::string& run_id, int64_t now,
                         const std::string& script_hash = "");

}  // namespace weft::engine
