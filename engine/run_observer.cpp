// Trace, metrics and logs of run transitions (see run_observer.hpp).
#include "engine/run_observer.hpp"

#include "engine/json_limits.hpp"
#include "engine/log.hpp"
#include "engine/metrics.hpp"
#include "engine/trace.hpp"

namespace weft::engine {
namespace {

// Step names are chosen by workflow code: at most kMaxStepLabels of them
// per workflow become series, later ones are counted as step="other".
constexpr size_t kMaxStepLabels = 100;
const MetricFamily kStepSeconds{"weft_step_duration_seconds",
                                "Duration of step attempts, by workflow, step and outcome"
                                " (completed, retrying, failed); steps past the first 100 names"
                                " of a workflow count as step=\"other\"",
                                MetricKind::Histogram, duration_buckets(),
                                {"step", "workflow", kMaxStepLabels}};
const MetricFamily kRunsEnded{"weft_runs_ended_total",
                              "Runs that ended, by workflow and final status"
                              " (completed, failed, compensated, cancelled)",
                              MetricKind::Counter};

const MetricFamily kQueueAdmitted{"weft_queue_admitted_total",
                                  "Runs a queue gave a slot to (a first start or a resume), by queue",
                                  MetricKind::Counter};
const MetricFamily kQueueWaitSeconds{"weft_queue_wait_seconds",
                                     "How long a queued run, once due, waited for a slot, by queue",
                                     MetricKind::Histogram, duration_buckets()};

std::string error_message(const nlohmann::json& error) {
  if (error.is_object() && error.contains("message") && error["message"].is_string())
    return error["message"].get<std::string>();
  return error.is_null() ? "" : dump_json(error);
}

}  // namespace

CommittedSteps committed_steps(const std::vector<Mutation>& mutations) {
  CommittedSteps out;
  for (const auto& mutation : mutations) {
    const auto* put = std::get_if<PutEvent>(&mutation);
    if (put == nullptr) continue;
    const HistoryEvent& e = put->event;
    bool step = e.kind == EventKind::Step || e.kind == EventKind::Compensation;
    bool slept = e.kind == EventKind::Sleep && e.status == EventStatus::Completed;
    if (!step && !slept) continue;
    int64_t duration = e.ended_at > e.started_at ? e.ended_at - e.started_at : 0;
    out.steps.push_back({e.kind, e.name, e.status, e.seq, e.attempt, duration, error_message(e.error)});
  }
  return out;
}

void observe_admitted(const Run& run, int64_t now) {
  auto& metrics = MetricsRegistry::process();
  // A per-key queue ("sync#acme") is counted under its workflow's ("sync#"):
  // keys come from data, labels must stay few.
  std::string queue = run.queue.substr(0, run.queue.find('#') == std::string::npos ? std::string::npos
                                                                                     : run.queue.find('#') + 1);
  metrics.add(kQueueAdmitted, {{"queue", queue}});
  int64_t waited = run.wake_at > 0 && now > run.wake_at ? now - run.wake_at : 0;
  metrics.observe(kQueueWaitSeconds, {{"queue", queue}}, static_cast<double>(waited) / 1000.0);
}

// The fields are built only when the record will be written: these run
// for every run start, resume and park.
void observe_run_started(const Run& run, bool fresh) {
  log::Level level = fresh ? log::Level::Info : log::Level::Debug;
  if (!log::enabled(level)) return;
  if (fresh)
    log::write(level, "run started", {{"run", run.id}, {"workflow", run.workflow},
                                      {"tenant", run.tenant}, {"parent", run.parent_id}});
  else
    log::write(level, "run resumed", {{"run", run.id}, {"workflow", run.workflow}});
}

void observe_steps(const Run& run, const CommittedSteps& committed) {
  auto& metrics = MetricsRegistry::process();
  for (const auto& s : committed.steps) {
    if (s.kind == EventKind::Sleep) {
      if (trace_enabled()) trace("sleep.done run=" + run.id + " seq=" + std::to_string(s.seq));
      continue;
    }
    std::string outcome(to_string(s.status));
    if (trace_enabled())
      trace("step.commit run=" + run.id + " seq=" + std::to_string(s.seq) + " attempt=" +
            std::to_string(s.attempt) + " status=" + outcome);
    metrics.observe(kStepSeconds, {{"workflow", run.workflow}, {"step", s.name}, {"outcome", outcome}},
                    static_cast<double>(s.duration_ms) / 1000.0);
    log::Level level = s.status == EventStatus::Completed ? log::Level::Debug
                       : s.status == EventStatus::Retrying ? log::Level::Info
                                                           : log::Level::Warn;
    if (!log::enabled(level)) continue;
    nlohmann::json fields = {{"run", run.id},       {"workflow", run.workflow}, {"step", s.name},
                             {"seq", s.seq},        {"attempt", s.attempt},     {"outcome", outcome},
                             {"duration_ms", s.duration_ms}};
    if (!s.error.empty()) fields["error"] = s.error;
    if (s.kind == EventKind::Compensation) fields["compensation"] = true;
    log::write(level, "step " + outcome, fields);
  }
}

void observe_parked(const Run& run, int64_t seq, RunStatus status, int64_t wake_at) {
  std::string state(to_string(status));
  if (trace_enabled())
    trace("park run=" + run.id + " seq=" + std::to_string(seq) + " status=" + state +
          " wake_at=" + std::to_string(wake_at));
  if (log::enabled(log::Level::Debug))
    log::write(log::Level::Debug, "run parked",
               {{"run", run.id}, {"workflow", run.workflow}, {"status", state}, {"wake_at", wake_at}});
}

void observe_run_ended(const Run& ended) {
  std::string status(to_string(ended.status));
  if (trace_enabled()) trace("run.end run=" + ended.id + " status=" + status);
  MetricsRegistry::process().add(kRunsEnded, {{"workflow", ended.workflow}, {"status", status}});
  log::Level level = ended.status == RunStatus::Failed ? log::Level::Warn : log::Level::Info;
  if (!log::enabled(level)) return;
  nlohmann::json fields = {{"run", ended.id}, {"workflow", ended.workflow}, {"status", status},
                           {"duration_ms", ended.updated_at - ended.created_at}};
  if (!ended.error.is_null()) fields["error"] = error_message(ended.error);
  log::write(level, "run ended", fields);
}

}  // namespace weft::engine
