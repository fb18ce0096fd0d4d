// ctx:acquire(keys, { cost = 1 }): waits durably until the rate limits
// named by `keys` admit the run. While denied, the run is parked with a
// timer in history (no thread, no coroutine held) and tries again when it
// fires; the admission is recorded, so replay never consumes twice.
#include <numeric>

#include "dsl/ctx.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_guard.hpp"
#include "engine/metrics.hpp"
#include "dsl/limit_keys.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

const engine::MetricFamily kRateLimitWaits{"weft_ratelimit_wait_seconds",
                                           "Durable waits for rate-limit tokens, by workflow",
                                           engine::MetricKind::Histogram, engine::duration_buckets()};

int acquire_body(lua_State* L) {
  RunContext& rc = durable_caller(L, "acquire");
  if (rc.limiter == nullptr) throw std::runtime_error("ctx:acquire: no rate limiter in this process");
  std::vector<std::string> keys = limit_keys_arg(L, 2, *rc.limiter);
  double cost = limit_cost_arg(L, 3);
  if (must_stop(L, rc)) return kRaise;
  std::string name = std::accumulate(std::next(keys.begin()), keys.end(), keys.front(),
                                     [](std::string a, const std::string& b) { return a + "," + b; });
  Decision d = next_call(L, rc, EventKind::Acquire, name);
  switch (d.action) {
    case Decision::Action::Mismatch:
      return raise_mismatch(L, rc, d);
    case Decision::Action::Replay:
      return 0;
    case Decision::Action::Park:
      request_park(rc, engine::RunStatus::Sleeping, d.wake_at);
      return kYield;
    default:
      break;
  }
  engine::HistoryEvent event = d.recorded ? *d.recorded : new_event(rc, d, EventKind::Acquire, name);
  engine::Admission admission = rc.limiter->acquire(keys, cost, rc.now(), rc.run.id);
  if (admission.allowed) {
    event.status = EventStatus::Completed;
    event.ended_at = rc.now();
    buffer_event(rc, std::move(event));
    return 0;
  }
  engine::MetricsRegistry::process().observe(kRateLimitWaits, {{"workflow", rc.run.workflow}},
                                             static_cast<double>(admission.retry_after_ms) / 1000.0);
  return park_until(rc, std::move(event), rc.now() + admission.retry_after_ms);
}

}  // namespace

int ctx_acquire(lua_State* L) { return finish_call(L, guarded(L, acquire_body), nullptr); }

}  // namespace weft::dsl
