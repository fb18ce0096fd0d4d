// The engine: starts runs durably, dispatches them to workers, wakes
// parked runs when they are due, renews leases, recovers runs whose
// owner died, and delivers events and cancellations.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.hpp"
#include "engine/executor.hpp"
#include "engine/group_commit.hpp"
#include "engine/redrive.hpp"
#include "engine/schedules.hpp"
#include "engine/store.hpp"
#include "engine/worker.hpp"
#include "engine/workflow_catalog.hpp"
#include "engine/rate_limiter.hpp"

namespace weft::engine {

struct EngineOptions {
  int workers = 0;              // 0: one per core
  int64_t lease_ms = 30'000;
  // A run found executing this many times when its process died is failed
  // as "crashed" instead of resumed again (no restart loop on a poison run).
  int64_t crash_limit = 3;
  int64_t poll_ms = 100;        // how often the store is asked for due runs
  bool background = true;       // false: tests drive polling with poll()
  std::string root_id;          // only this run tree (weft run); empty = all
  // Rate limits (null: the engine keeps its own, its state in the store).
  engine::RateLimiter* limiter = nullptr;
  // Makes the executor of each worker (required): dsl::run_executors.
  ExecutorFactory executors;
  // Start the runs of weft.cron schedules (weft serve; not weft run).
  bool run_schedules = false;
  // Called (on a worker thread) when a run executed here has ended durably.
  std::function<void(const Run&)> on_finished;
};

struct StartOptions {
  std::string id;               // empty: a new time-ordered UUID
  std::string idempotency_key;  // same workflow and key: the same run
  std::string tenant;
  int64_t delay_ms = 0;         // due this long after its creation
  int64_t priority = 0;         // in its workflow's queue: higher first
};

struct StartResult {
  Run run;
  bool replayed = false;  // an earlier start with the same idempotency key made it
};

// A start with an idempotency key already used with another input.
struct IdempotencyConflict : std::runtime_error {
  explicit IdempotencyConflict(const Run& existing)
      : std::runtime_error("idempotency key '" + existing.idempotency_key +
                           "' was used for run " + existing.id + " with another input"),
        existing(existing) {}
  Run existing;
};

class Engine {
 public:
  Engine(Store& store, WorkflowCatalog& catalog, const Clock& clock, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Creates the run durably and dispatches it (a run of a queued workflow,
  // or a delayed one, is left to the poll that claims it). With an idempotency key
  // already used for this workflow, returns that run instead (executing
  // nothing), or throws IdempotencyConflict if its input differs. Throws
  // std::invalid_argument for an unknown workflow or a duplicate id.
  Run start_run(const std::string& workflow, nlohmann::json input, StartOptions options = {});
  // The same, telling whether the run was made by an earlier start.
  StartResult start_or_replay(const std::string& workflow, nlohmann::json input,
                              StartOptions options = {});
  // The same without blocking: `done` is called once the run is durable
  // (and dispatched), or with the error that prevented it (the errors
  // start_run throws); never throws itself. `done` may run on the calling
  // thread (an unknown workflow) or on one of the committer's.
  using Started = std::function<void(const StartResult&, std::exception_ptr)>;
  void start_run_async(const std::string& workflow, nlohmann::json input, StartOptions options,
                       Started done);
  // Creates the run durably without executing it (a later poll claims it).
  Run enqueue_run(const std::string& workflow, nlohmann::json input, StartOptions options = {});

  DeliverOutcome deliver_event(const std::string& run_id, const std::string& name,
                               const nlohmann::json& payload);
  CancelOutcome cancel(const std::string& run_id);
  // Redrives a failed run from its failed step (see redrive.hpp).
  RetryOutcome retry(const std::string& run_id);
  // A run was made due outside the engine (a fork, a redrive on another
  // version): look for due runs now.
  void wake_now();
  const Clock& clock() const { return clock_; }

  // Graceful stop: no more claims or schedule fires; each run in flight
  // finishes its current step and is handed back to the store, due at
  // once. Runs still busy after `grace` have their leases released (their
  // unfinished step runs again wherever they resume). True when all were
  // handed back in time. Only the destructor may follow.
  bool shutdown(std::chrono::milliseconds grace);

  // Claims due runs and dispatches them; how many it claimed.
  size_t poll();
  // Waits until no run is in flight in this process.
  void wait_idle();
  // Ids of the runs executing in this process now (for a stop's log line).
  std::vector<std::string> runs_in_flight();
  // Waits until the run has ended (or the timeout passed); its record.
  std::optional<Run> wait_finished(const std::string& run_id, std::chrono::milliseconds timeout);
  // Unfinished runs of the tree (or all) that time or a child can still move.
  bool has_runnable_work();

  const std::string& owner() const { return owner_; }
  GroupCommitter::Stats commit_stats() const { return committer_->stats(); }
  // The single writer, for writes that belong to no run (webhook audit).
  GroupCommitter& committer() { return *committer_; }
  engine::RateLimiter& limiter() { return *limiter_; }
  // Starts the schedules' runs that are due (the scheduler thread does it
  // on every poll when options.run_schedules; tests call it by hand).
  void tick_schedules();

 private:
  Run new_run(const std::string& workflow, nlohmann::json input, const StartOptions& options,
              bool leased);
  Run make_run(const std::string& workflow, nlohmann::json input, const StartOptions& options,
               bool leased, bool& created);
  std::optional<Run> existing_run(const std::string& workflow, const nlohmann::json& input,
                                  const StartOptions& options);
  void dispatch(Run run, bool fresh);
  // A run left this process; `wake_at` (0: none): when it may make a run due.
  void released(const std::string& run_id, int64_t wake_at);
  // Look for due runs no later than `at`.
  void wake_at(int64_t at);
  void scheduler_loop();
  void stop_scheduler();
  void renew_leases();
  void break_dead_leases();

  Store& store_;
  WorkflowCatalog& catalog_;
  const Clock& clock_;
  EngineOptions options_;
  std::string owner_;
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<ScheduleRunner> schedules_;
  std::unique_ptr<engine::RateLimiter> own_limiter_;
  engine::RateLimiter* limiter_;
  std::vector<std::unique_ptr<Worker>> workers_;

  std::mutex mutex_;
  std::condition_variable changed_;          // runs ended or left: for waiters
  std::condition_variable scheduler_wake_;   // something may be due sooner
  std::set<std::string> in_flight_;
  int64_t next_wake_ = 0;  // earliest wake time a park asked for
  std::optional<std::vector<std::string>> queue_names_;  // the queues the last poll served
  bool stopping_ = false;
  std::thread scheduler_;
};

}  // namespace weft::engine
