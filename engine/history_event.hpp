// The history of a run: an append-only list of events keyed by
// (run, sequence number, attempt). Every kind of durable call is listed
// here, and only here.
//
// Design: each durable call on ctx has a path, its position in the
// workflow's code ("4": the body's 4th durable call; "4/2/1": the first
// call of branch 2 of the body's 4th call, a ctx:all), and a sequence
// number, given in the order calls first ran. Replay matches calls by
// path, so branches that ran in another order still meet their own
// events; the sequence number keys storage and orders history. A step
// that is retried writes one event per attempt under the same sequence
// number; sleeps, waits and children write a `pending` event that is
// completed once (its fire time, payload or child result filled in).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::engine {

enum class EventKind { Step, Compensation, Sleep, WaitEvent, Child, Start, Now, Uuid, Random, Acquire };

enum class EventStatus {
  Pending,    // sleep scheduled, event or child awaited
  Completed,  // result recorded
  Retrying,   // this attempt failed; another comes at fire_at
  Failed,     // final failure, error recorded
  TimedOut,   // wait_event ended by its timeout
  Redriven,   // a redrive superseded the failure before it: the step runs
              // again at the next attempt, with a fresh retry budget
};

std::string_view to_string(EventKind kind);
std::string_view to_string(EventStatus status);
std::optional<EventKind> event_kind_from(std::string_view text);
std::optional<EventStatus> event_status_from(std::string_view text);

struct HistoryEvent {
  std::string run_id;
  int64_t seq = 0;
  std::string path;  // the call's position (see above); "" reads as the seq
  int attempt = 1;
  EventKind kind = EventKind::Step;
  std::string name;
  EventStatus status = EventStatus::Pending;
  int64_t started_at = 0;  // ms since epoch
  int64_t ended_at = 0;    // 0 while pending
  int64_t fire_at = 0;     // sleep end, wait timeout, next retry; 0 = none
  nlohmann::json result;   // null when none
  nlohmann::json error;    // null when none
  // Where the call is in the workflow's source ("lead_pipeline.lua:12")
  // and a fingerprint of its options, as the code that recorded it had
  // them: replay reports a divergence against both. "" when unknown.
  std::string location;
  std::string fingerprint;
  // A step that read ctx.step_key, the idempotency key it can hand to the
  // API it calls: forks say which re-executed steps are safe to repeat.
  bool step_key_read = false;
};

nlohmann::json to_json(const HistoryEvent& event);

}  // namespace weft::engine
