// Webhook ingress: a POST to a path a workflow declared with weft.webhook
// is verified (401), rate-limited (429), parsed (400), deduplicated by the
// declared key (200 duplicate), mapped by `event` (200 ignored, 422, 500),
// and only once its run is durably started answered 202 {"run_id"}.
// Every delivery to a declared path leaves an audit record.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "api/delivery_log.hpp"
#include "api/http_target.hpp"
#include "api/http_types.hpp"
#include "api/webhook_events.hpp"
#include "engine/engine.hpp"
#include "stdlib/rate_limiter.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::api {

class WebhookIngress {
 public:
  // `keys` null: routes that verify with a secret answer 500.
  WebhookIngress(engine::Store& store, engine::WorkflowCatalog& catalog, engine::Engine& engine,
                 const stdlib::SecretKeys* keys, EventLimits limits = {});

  HttpResponse deliver(const ApiRequest& request, const Target& target);
  // Makes every audit record of an answered delivery visible in the store.
  void flush_audit() { log_.flush(); }

 private:
  struct Started {
    engine::Run run;
    bool duplicate = false;  // the idempotency key was taken: `run` is the earlier one
  };

  HttpResponse handle(const ApiRequest& request, const Target& target,
                      const engine::WebhookRoute& route, engine::WebhookDelivery& record);
  void verify(const ApiRequest& request, const engine::WebhookVerify& verify);
  std::string secret(const std::string& name);
  // The one place a delivery starts its run (blocking until it is durable).
  Started start(const std::string& workflow, nlohmann::json input, const std::string& key);

  engine::Store& store_;
  engine::WorkflowCatalog& catalog_;
  engine::Engine& engine_;
  const stdlib::SecretKeys* keys_;
  WebhookEvents events_;
  stdlib::RateLimiter limiter_;
  DeliveryLog log_;
};

}  // namespace weft::api
