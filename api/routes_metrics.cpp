// GET /metrics: Prometheus text exposition. Events (runs started and
// ended, step durations, webhook deliveries, HTTP client requests,
// rate-limit waits, storage commits) come from the process's registry;
// states (runs by status, timers pending and the oldest due timer's lag,
// queues' depth and active runs)
// are read from the store now, so they count every process sharing it.
// Needs an unscoped token when tokens are configured.
#include "api/routes.hpp"
#include "engine/clock.hpp"
#include "engine/metrics.hpp"

namespace weft::api {
namespace {

using engine::MetricFamily;
using engine::MetricKind;

const MetricFamily kRuns{"weft_runs",
                         "Stored runs not yet ended, and failed runs (dead letters), by workflow and"
                         " status",
                         MetricKind::Gauge};
const MetricFamily kTimersPending{"weft_timers_pending",
                                  "Parked runs waiting for a wake time still ahead (sleeps, retries,"
                                  " timeouts)",
                                  MetricKind::Gauge};
const MetricFamily kTimerLag{"weft_timer_lag_seconds",
                             "How long the oldest due timer has waited to be claimed (0: none due)",
                             MetricKind::Gauge};
const MetricFamily kQueueDepth{"weft_queue_depth",
                               "Runs of a queue due and waiting for a slot, by queue (by priority:"
                               " GET /v1/queues)",
                               MetricKind::Gauge};
const MetricFamily kQueueActive{"weft_queue_active", "Runs holding a slot of a queue, by queue",
                                MetricKind::Gauge};
const MetricFamily kWorkflows{"weft_workflows_loaded", "Workflows this server serves", MetricKind::Gauge};

HttpResponse metrics(const RouteCall& call) {
  if (!call.tenant.empty())
    throw ApiError(403, "forbidden", "a tenant-scoped token may not read the server's metrics");
  int64_t now = engine::SystemClock().now_ms();
  engine::RunCensus census = call.context.store.runs().run_census(now);
  engine::PrometheusText out;
  out.family(kRuns);
  for (const auto& [key, count] : census.runs)
    out.sample(kRuns.name, {{"workflow", key.first}, {"status", key.second}}, static_cast<double>(count));
  out.family(kTimersPending);
  out.sample(kTimersPending.name, {}, static_cast<double>(census.timers_pending));
  out.family(kTimerLag);
  double lag = census.oldest_due_at ? static_cast<double>(now - census.oldest_due_at) / 1000.0 : 0;
  out.sample(kTimerLag.name, {}, lag > 0 ? lag : 0);
  auto queues = call.context.catalog.queues();
  std::vector<engine::QueueStats> stats;
  for (const auto& queue : queues) stats.push_back(call.context.store.runs().queue_stats(queue, now));
  out.family(kQueueDepth);
  for (size_t i = 0; i < queues.size(); ++i)
    out.sample(kQueueDepth.name, {{"queue", queues[i].name}}, static_cast<double>(stats[i].waiting));
  out.family(kQueueActive);
  for (size_t i = 0; i < queues.size(); ++i)
    out.sample(kQueueActive.name, {{"queue", queues[i].name}}, static_cast<double>(stats[i].active));
  out.family(kWorkflows);
  out.sample(kWorkflows.name, {}, static_cast<double>(call.context.catalog.all().size()));
  engine::MetricsRegistry::process().write(out);
  HttpResponse response;
  response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8";
  response.raw_body = out.text();
  return response;
}

}  // namespace

std::vector<Route> metrics_routes() { return {{"GET", "/metrics", metrics}}; }

}  // namespace weft::api
