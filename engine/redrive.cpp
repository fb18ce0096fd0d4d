// Redriving a failed run (see redrive.hpp).
#include "engine/redrive.hpp"

#include <algorithm>
#include <map>

namespace weft::engine {

namespace {

bool failed_for_good(const HistoryEvent& event) {
  bool step = event.kind == EventKind::Step || event.kind == EventKind::Compensation;
  return step && event.status == EventStatus::Failed;
}

// "4/2/" for "4/2/1": the calls of one coroutine share it; "" for the body.
std::string coroutine_of(const HistoryEvent& event) {
  std::string path = event.path.empty() ? std::to_string(event.seq) : event.path;
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

}  // namespace

std::vector<HistoryEvent> failed_steps(const std::vector<HistoryEvent>& history) {
  std::map<std::string, const HistoryEvent*> last;  // per coroutine; history is in (seq, attempt) order
  for (const auto& event : history) last[coroutine_of(event)] = &event;
  auto body = last.find("");
  if (body != last.end() && failed_for_good(*body->second)) return {*body->second};
  int64_t after = body == last.end() ? 0 : body->second->seq;
  std::vector<HistoryEvent> out;
  for (const auto& [coroutine, event] : last)
    if (!coroutine.empty() && event->seq > after && failed_for_good(*event)) out.push_back(*event);
  return out;
}

std::optional<HistoryEvent> failed_step(const std::vector<HistoryEvent>& history) {
  auto failed = failed_steps(history);
  if (failed.empty()) return std::nullopt;
  return *std::max_element(failed.begin(), failed.end(),
                           [](const auto& a, const auto& b) { return a.seq < b.seq; });
}

std::optional<RetryOutcome> redrive_refusal(const Run& run) {
  if (!run.parent_id.empty()) return RetryOutcome::ChildRun;
  if (run.status != RunStatus::Failed) return RetryOutcome::NotFailed;
  return std::nullopt;
}

std::vector<HistoryEvent> redrive_markers(const std::vector<HistoryEvent>& history, int64_t now) {
  std::vector<HistoryEvent> markers;
  for (HistoryEvent marker : failed_steps(history)) {
    marker.attempt += 1;
    marker.status = EventStatus::Redriven;
    marker.started_at = marker.ended_at = now;
    marker.fire_at = 0;
    marker.result = nullptr;
    marker.error = nullptr;
    markers.push_back(std::move(marker));
  }
  return markers;
}

RetryOutcome redrive_run(Store& store, const std::string& run_id, int64_t now,
                         const std::string& script_hash) {
  auto run = store.runs().get_run(run_id);
  if (!run) return RetryOutcome::NotFound;
  if (auto refusal = redrive_refusal(*run)) return *refusal;
  RedriveRequest request;
  request.run_id = run_id;
  request.now = now;
  // The workflow timeout starts over: the same length, from now.
  if (run->deadline) request.deadline = now + (run->deadline - run->created_at);
  request.markers = redrive_markers(store.runs().history(run_id), now);
  request.script_hash = script_hash;
  return store.runs().redrive(request) ? RetryOutcome::Retried : RetryOutcome::NotFailed;
}

}  // namespace weft::engine
