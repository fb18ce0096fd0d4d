// Redriving a failed run (see redrive.hpp).
#include "engine/redrive.hpp"

namespace weft::engine {

std::optional<HistoryEvent> failed_step(const std::vector<HistoryEvent>& history) {
  if (history.empty()) return std::nullopt;
  const HistoryEvent& last = history.back();  // ordered by seq, attempt
  bool step = last.kind == EventKind::Step || last.kind == EventKind::Compensation;
  if (!step || last.status != EventStatus::Failed) return std::nullopt;
  return last;
}

RetryOutcome redrive_run(Store& store, const std::string& run_id, int64_t now) {
  auto run = store.runs().get_run(run_id);
  if (!run) return RetryOutcome::NotFound;
  if (!run->parent_id.empty()) return RetryOutcome::ChildRun;
  if (run->status != RunStatus::Failed) return RetryOutcome::NotFailed;
  RedriveRequest request;
  request.run_id = run_id;
  request.now = now;
  // The workflow timeout starts over: the same length, from now.
  if (run->deadline) request.deadline = now + (run->deadline - run->created_at);
  if (auto failed = failed_step(store.runs().history(run_id))) {
    HistoryEvent marker = *failed;
    marker.attempt = failed->attempt + 1;
    marker.status = EventStatus::Redriven;
    marker.started_at = marker.ended_at = now;
    marker.fire_at = 0;
    marker.result = nullptr;
    marker.error = nullptr;
    request.marker = std::move(marker);
  }
  return store.runs().redrive(request) ? RetryOutcome::Retried : RetryOutcome::NotFailed;
}

}  // namespace weft::engine
