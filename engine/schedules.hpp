// Starts the runs of cron schedules (weft.cron triggers). Each fire is
// started exactly once, even across restarts and several processes on one
// database: the fire time is the run's idempotency key. Fires missed while
// no process ran are caught up per `catch_up`; fires that came due while
// this process was ticking all start, however late the tick; a fire that
// comes while the schedule's previous run is still going is handled per
// `overlap`.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "engine/schedule_spec.hpp"
#include "engine/store.hpp"
#include "engine/workflow_catalog.hpp"

namespace weft::engine {

struct UpcomingFire {
  std::string workflow;
  ScheduleSpec schedule;
  std::optional<int64_t> next_fire;  // epoch seconds
};

// The next fire after `now_ms` of every schedule the catalog's workflows declare.
std::vector<UpcomingFire> upcoming_fires(const WorkflowCatalog& catalog, int64_t now_ms);

class ScheduleRunner {
 public:
  // Starts a run: workflow, input, idempotency key; returns its id.
  using Starter = std::function<std::string(const std::string& workflow, const nlohmann::json& input,
                                            const std::string& idempotency_key)>;

  ScheduleRunner(Store& store, WorkflowCatalog& catalog, Starter start);

  // Starts what is due at `now_ms`.
  void tick(int64_t now_ms);

 private:
  struct State {
    int64_t last_fire = 0;  // epoch seconds of the last fire handled
    std::string last_run_id;
    int64_t buffered = 0;   // a fire waiting for the previous run (buffer_one)
  };

  void tick_schedule(const std::string& workflow, const ScheduleSpec& schedule, int64_t now_ms);
  // `ticked_at`: when this process last ticked the schedule (0: never, or
  // so long ago that the time since counts as downtime).
  std::vector<int64_t> due_fires(const ScheduleSpec& schedule, const State& state, int64_t now_ms,
                                 int64_t ticked_at) const;
  bool previous_running(const State& state) const;
  void fire(const std::string& workflow, const ScheduleSpec& schedule, int64_t at, State& state);
  State load(const std::string& id) const;
  void save(const std::string& id, const State& state, int64_t now_ms);

  Store& store_;
  WorkflowCatalog& catalog_;
  Starter start_;
  std::mutex ticks_mutex_;
  std::map<std::string, int64_t> ticked_at_;  // schedule state id -> this process's last tick (ms)
};

// RFC 3339 UTC text of an epoch-seconds instant: "2026-11-22T08:30:00Z".
std::string iso_utc(int64_t epoch_seconds);
// The instant of RFC 3339 text ("2026-11-22T08:30:00Z", fractions and
// offsets like "+01:00" allowed; fractions dropped), in epoch seconds;
// nullopt for anything else.
std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace weft::engine
