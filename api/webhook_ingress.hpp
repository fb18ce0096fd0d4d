// Webhook ingress: a POST to a path a workflow declared with weft.webhook
// is verified (401), rate-limited (429), parsed (400), deduplicated by the
// declared key (200 duplicate), mapped by `event` (200 ignored, 422, 500),
// and only once its run is durably started answered 202 {"run_id"}.
// Every delivery to a declared path leaves an audit record.
#pragma once
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "api/http_target.hpp"
#include "api/http_types.hpp"
#include "api/webhook_events.hpp"
#include "api/webhook_secrets.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "engine/engine.hpp"
#include "engine/rate_limiter.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::api {

class WebhookIngress {
 public:
  // `keys` null: routes that verify with a secret answer 500.
  WebhookIngress(engine::Store& store, dsl::LuaWorkflowCatalog& catalog, engine::Engine& engine,
                 const stdlib::SecretKeys* keys, EventLimits limits = {});
  // Waits until every start it submitted has been answered: their
  // callbacks refer to this object.
  ~WebhookIngress();

  HttpResponse deliver(const ApiRequest& request, const Target& target);
  // Makes every audit record of an answered delivery visible in the store.
  void flush_audit();

 private:
  // A delivery that passed every check: its run is still to be started.
  struct PendingStart {
    std::string workflow;
    nlohmann::json input;
    std::string idempotency_key;
    std::string tenant;
  };

  // The answer, or (setting `pending`) nothing yet: the run is to start.
  HttpResponse handle(const ApiRequest& request, const Target& target,
                      const engine::WebhookRoute& route, engine::WebhookDelivery& record,
                      std::optional<PendingStart>& pending);
  // The one place a delivery starts its run: answered (and audited) once
  // the run is durable, without holding an io thread meanwhile.
  HttpResponse start_later(PendingStart pending, engine::WebhookDelivery record,
                           std::chrono::steady_clock::time_point began);
  // Counts, logs and audits the answered delivery. The audit record rides
  // in the group commit; the answer never waits for it.
  void finish(engine::WebhookDelivery& record, const HttpResponse& response,
              std::chrono::steady_clock::time_point began);
  void verify(const ApiRequest& request, const engine::WebhookVerify& verify);

  engine::Store& store_;
  dsl::LuaWorkflowCatalog& catalog_;
  engine::Engine& engine_;
  WebhookSecrets secrets_;
  WebhookEvents events_;
  engine::RateLimiter limiter_;
};

}  // namespace weft::api
