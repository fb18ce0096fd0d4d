// The run model: one execution of a workflow, pinned to a script version.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::engine {

enum class RunStatus {
  Pending,      // created, not yet started
  Running,      // leased by a worker
  Sleeping,     // parked until wake_at (sleep or retry backoff)
  Waiting,      // parked until an event, a child, or a timeout
  Completed,
  Failed,
  Compensated,  // failed, and its saga compensations all ran
  Cancelled,
};

std::string_view to_string(RunStatus status);
std::optional<RunStatus> run_status_from(std::string_view text);
bool is_finished(RunStatus status);

struct Run {
  std::string id;
  std::string workflow;
  std::string script_hash;
  nlohmann::json input;
  RunStatus status = RunStatus::Pending;
  nlohmann::json result;  // null unless completed
  nlohmann::json error;   // null unless failed / compensated / cancelled
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string tenant;
  std::string idempotency_key;
  std::string parent_id;   // empty for top-level runs
  int64_t parent_seq = 0;  // the parent's ctx:child sequence number
  std::string root_id;     // top-level ancestor (itself when top-level)
  int64_t wake_at = 0;     // when a parked run becomes due; 0 = not by time
  int64_t deadline = 0;    // workflow timeout instant; 0 = none
  std::string lease_owner;
  int64_t lease_expires = 0;
  bool cancel_requested = false;
  // Times this run was executing when its process died (counted when it is
  // claimed again); at the engine's limit it is failed as "crashed".
  int64_t crashes = 0;
  // A fork (weft fork) records the run and the position it was forked
  // from: its history is that run's before the position.
  std::string forked_from;
  int64_t forked_seq = 0;
  // A run loaded from a repro bundle (weft import) names the run it was
  // exported from; it was stored not due, so nothing executed it.
  std::string imported_from;
  // The run that started this one with ctx:start ("" when none); unlike a
  // child, it is a tree of its own: root_id is itself.
  std::string started_by;
  // The queue its workflow declares ("" when none: claimed as soon as due),
  // its priority there (higher first) and whether the queue has admitted
  // it (a count_parked queue counts an admitted run until it ends).
  std::string queue;
  int64_t priority = 0;
  bool admitted = false;
};

nlohmann::json to_json(const Run& run);

}  // namespace weft::engine
