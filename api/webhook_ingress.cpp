// The webhook ingress (see webhook_ingress.hpp).
#include "api/webhook_ingress.hpp"

#include <chrono>

#include "api/webhook_request.hpp"
#include "engine/log.hpp"
#include "engine/metrics.hpp"
#include "engine/storage_error.hpp"
#include "engine/tenant.hpp"
#include "stdlib/webhook_presets.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

// event(req) may return { tenant = NAME, input = VALUE } (exactly those two
// fields): the run's tenant and its input. Returns whether it did, then
// leaving the input alone in `input`. A bad name, or one other than the
// route's own tenant, is the mapping's fault: 422.
bool take_tenant(json& input, std::string& tenant) {
  if (!input.is_object() || input.size() != 2 || !input.contains("tenant") || !input.contains("input")) return false;
  if (!input["tenant"].is_string() || !engine::valid_tenant_name(input["tenant"].get<std::string>()))
    throw ApiError(422, "webhook_event_rejected",
                   "event returned a tenant that is not a tenant name (1-64 letters, digits, '-', '_' or '.')");
  std::string given = input["tenant"].get<std::string>();
  if (!tenant.empty() && given != tenant)
    throw ApiError(422, "webhook_event_rejected",
                   "event returned tenant '" + given + "' on a route of tenant '" + tenant + "'");
  tenant = std::move(given);
  json inner = std::move(input["input"]);
  input = std::move(inner);
  return true;
}

// The URL the provider called (Twilio signs it): the scheme and host a
// proxy reports, else the Host header over plain HTTP.
std::string request_url(const ApiRequest& request) {
  auto header = [&](const char* name) {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? std::string() : it->second;
  };
  std::string scheme = header("x-forwarded-proto");
  std::string host = header("x-forwarded-host");
  if (host.empty()) host = header("host");
  return (scheme.empty() ? "http" : scheme) + "://" + host + request.target;
}

const engine::MetricFamily kDeliveries{
    "weft_webhook_deliveries_total",
    "Webhook deliveries, by route, outcome (started, duplicate, ignored, rejected, failed) and status",
    engine::MetricKind::Counter};

HttpResponse duplicate(const engine::Run& run, engine::WebhookDelivery& record) {
  record.dedup_hit = true;
  record.run_id = run.id;
  record.outcome = "duplicate";
  return json_response(200, {{"duplicate", true}, {"run_id", run.id}});
}

// 202 once the run is durably started; 200 duplicate when its
// idempotency key was taken meanwhile (or by a redelivery that mapped to
// another input); 422 for a start the engine refuses.
HttpResponse started_answer(const engine::StartResult& started, std::exception_ptr error,
                            engine::WebhookDelivery& record) {
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const engine::IdempotencyConflict& e) {
      return duplicate(e.existing, record);
    } catch (const std::invalid_argument& e) {
      record.outcome = "rejected";
      record.error = e.what();
      return error_response(422, "run_rejected", e.what());
    } catch (const engine::StorageUnavailable& e) {
      log::warn("request failed: storage unavailable", {{"route", record.route}, {"error", e.what()}});
      record.outcome = "failed";
      record.error = e.what();
      return storage_unavailable_response();
    } catch (const std::exception& e) {
      log::error("webhook start failed", {{"route", record.route}, {"error", e.what()}});
      record.outcome = "failed";
      record.error = e.what();
      return error_response(500, "internal", "internal error");
    }
  }
  if (started.replayed) return duplicate(started.run, record);
  record.run_id = started.run.id;
  record.outcome = "started";
  return json_response(202, {{"run_id", started.run.id}});
}

}  // namespace

WebhookIngress::WebhookIngress(engine::Store& store, dsl::LuaWorkflowCatalog& catalog,
                               engine::Engine& engine, const stdlib::SecretKeys* keys,
                               EventLimits limits)
    : store_(store), catalog_(catalog), engine_(engine), secrets_(store, keys), events_(catalog, limits) {}

HttpResponse WebhookIngress::deliver(const ApiRequest& request, const Target& target) {
  auto began = std::chrono::steady_clock::now();
  auto route = catalog_.webhook(target.path);
  if (!route) return error_response(404, "not_found", "no webhook route " + target.path);
  engine::WebhookDelivery record;
  record.route = route->spec.path;
  record.workflow = route->script.workflow;
  record.remote = request.remote;
  record.received_at = engine_.clock().now_ms();
  HttpResponse response;
  std::optional<PendingStart> pending;
  try {
    response = handle(request, target, *route, record, pending);
  } catch (const ApiError& e) {
    record.outcome = e.status >= 500 ? "failed" : "rejected";
    record.error = e.what();
    response = error_response(e.status, e.code, e.what());
  } catch (const engine::StorageUnavailable& e) {
    record.outcome = "failed";
    record.error = e.what();
    response = storage_unavailable_response();
  } catch (const std::exception& e) {
    log::error("webhook failed", {{"route", target.path}, {"error", e.what()}});
    record.outcome = "failed";
    record.error = e.what();
    response = error_response(500, "internal", "internal error");
  }
  if (pending) return start_later(std::move(*pending), std::move(record), began);
  finish(record, response, began);
  return response;
}

void WebhookIngress::finish(engine::WebhookDelivery& record, const HttpResponse& response,
                            std::chrono::steady_clock::time_point began) {
  record.status = response.status;
  record.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - began).count();
  engine::MetricsRegistry::process().add(
      kDeliveries, {{"route", record.route}, {"outcome", record.outcome}, {"status", std::to_string(record.status)}});
  if (log::enabled(log::Level::Debug))
    log::write(log::Level::Debug, "webhook delivery",
               {{"route", record.route}, {"outcome", record.outcome}, {"status", record.status},
                {"run", record.run_id}, {"remote", record.remote}, {"duration_us", record.duration_us}});
  engine_.committer().submit({"", "", {engine::AppendDelivery{std::move(record)}}},
                             [](bool, std::exception_ptr error) {
                               if (error) log::error("webhook audit record lost", {{"error", log::describe(error)}});
                             });
}

WebhookIngress::~WebhookIngress() { flush_audit(); }

void WebhookIngress::flush_audit() {
  // The committer writes in submission order: once this empty write is
  // done, every record submitted before it is in the store.
  engine_.committer().commit_and_wait({});
}

HttpResponse WebhookIngress::start_later(PendingStart pending, engine::WebhookDelivery record,
                                         std::chrono::steady_clock::time_point began) {
  HttpResponse response;
  response.deferred = [this, pending = std::move(pending), record = std::move(record),
                       began](Reply reply) mutable {
    engine::StartOptions options;
    options.idempotency_key = pending.idempotency_key;
    options.tenant = pending.tenant;
    engine_.start_run_async(
        pending.workflow, std::move(pending.input), options,
        [this, record = std::move(record), began, reply](const engine::StartResult& started,
                                                         std::exception_ptr error) mutable {
          HttpResponse answer = started_answer(started, error, record);
          finish(record, answer, began);
          reply(std::move(answer));
        });
  };
  return response;
}

HttpResponse WebhookIngress::handle(const ApiRequest& request, const Target& target,
                                    const engine::WebhookRoute& route,
                                    engine::WebhookDelivery& record,
                                    std::optional<PendingStart>& pending) {
  const engine::WebhookSpec& spec = route.spec;
  if (spec.verify) {
    record.provider = spec.verify->preset;
    verify(request, *spec.verify);
    record.verified = true;
  }
  if (spec.limit) {
    std::string key = "webhook:" + spec.path;
    if (!limiter_.declared(key)) limiter_.declare(key, *spec.limit);
    auto admission = limiter_.acquire({key}, 1, engine_.clock().now_ms());  // the engine's clock: virtual under weft test
    if (!admission.allowed) {
      int64_t seconds = std::max<int64_t>(1, (admission.retry_after_ms + 999) / 1000);
      record.outcome = "rejected";
      record.error = "rate limited";
      auto response = error_response(429, "rate_limited", "too many deliveries to " + spec.path +
                                                               "; retry in " + std::to_string(seconds) + "s");
      response.headers["Retry-After"] = std::to_string(seconds);
      return response;
    }
  }
  DeliveryBody body = parse_delivery_body(request);
  std::string idempotency_key;
  if (!spec.dedup.empty()) {
    record.dedup_key = dedup_value(spec.dedup, request, body);
    if (!record.dedup_key.empty()) idempotency_key = "webhook:" + spec.path + ":" + record.dedup_key;
  }
  std::string tenant = spec.tenant;
  if (!idempotency_key.empty())
    if (auto existing = store_.runs().find_run_by_idempotency(route.script.workflow, tenant, idempotency_key))
      return duplicate(*existing, record);

  json input;
  if (!spec.has_event) {
    input = body.json ? std::move(*body.json) : body.form ? std::move(*body.form) : json::object();
  } else {
    EventResult mapped = events_.call(route, {request, target, body});
    switch (mapped.kind) {
      case EventResult::Kind::Ignored:
        record.outcome = "ignored";
        return json_response(200, {{"ignored", true}});
      case EventResult::Kind::Rejected:
        throw ApiError(422, "webhook_event_rejected", mapped.message);
      case EventResult::Kind::Failed:
        throw ApiError(500, "webhook_event_failed", mapped.message);
      case EventResult::Kind::Input:
        input = std::move(mapped.input);
        break;
    }
    if (take_tenant(input, tenant) && !idempotency_key.empty())  // keys are per tenant: look again
      if (auto existing = store_.runs().find_run_by_idempotency(route.script.workflow, tenant, idempotency_key))
        return duplicate(*existing, record);
  }
  pending = PendingStart{route.script.workflow, std::move(input), idempotency_key, tenant};
  return {};
}

void WebhookIngress::verify(const ApiRequest& request, const engine::WebhookVerify& verify) {
  stdlib::webhook::Options options = verify.options;
  if (!verify.secret.empty()) {
    bool is_public_key = verify.preset == "rsa_sha256" && options.public_key.empty();
    (is_public_key ? options.public_key : options.secret) = secrets_.get(verify.secret);
  }
  stdlib::webhook::Request signed_request{request.method, request_url(request), {}, request.body};
  signed_request.headers.insert(request.headers.begin(), request.headers.end());
  auto verdict = stdlib::webhook::verify(verify.preset, signed_request, options);
  if (!verdict.ok) throw ApiError(401, "signature_invalid", verdict.reason);
}

}  // namespace weft::api
