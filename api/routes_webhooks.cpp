// Webhook routes: the ingress for every path workflows declare
// (POST /hooks/..., no bearer token: deliveries are verified by signature)
// and the audit listing GET /v1/webhooks/deliveries (for a tenant-scoped
// token, only the deliveries that started or found a run of its tenant).
#include "api/routes.hpp"
#include "api/webhook_ingress.hpp"

namespace weft::api {
namespace {

constexpr int64_t kMaxLimit = 1000;

HttpResponse deliver(const RouteCall& call) {
  if (call.context.webhooks == nullptr)
    return error_response(404, "not_found", "no webhook route " + call.target.path);
  return call.context.webhooks->deliver(call.request, call.target);
}

nlohmann::json to_json(const engine::WebhookDelivery& d) {
  auto optional = [](const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); };
  return {{"id", d.id},
          {"route", d.route},
          {"workflow", d.workflow},
          {"provider", optional(d.provider)},
          {"verified", d.verified},
          {"dedup_key", optional(d.dedup_key)},
          {"dedup_hit", d.dedup_hit},
          {"run_id", optional(d.run_id)},
          {"status", d.status},
          {"outcome", d.outcome},
          {"error", optional(d.error)},
          {"duration_ms", static_cast<double>(d.duration_us) / 1000.0},
          {"remote", d.remote},
          {"received_at", d.received_at}};
}

HttpResponse list_deliveries(const RouteCall& call) {
  engine::DeliveryFilter filter;
  filter.route = call.query("route").value_or("");
  filter.status = static_cast<int>(call.number_query("status", 0, 100, 599));
  filter.limit = call.number_query("limit", 100, 1, kMaxLimit);
  filter.before_id = call.number_query("cursor", 0, 1, INT64_MAX / 2);
  filter.tenant = call.tenant;  // a tenant-scoped token sees its own runs' deliveries only
  if (call.context.webhooks) call.context.webhooks->flush_audit();
  auto deliveries = call.context.store.deliveries().list_deliveries(filter);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& delivery : deliveries) out.push_back(to_json(delivery));
  nlohmann::json next = nullptr;
  if (static_cast<int64_t>(deliveries.size()) == filter.limit) next = std::to_string(deliveries.back().id);
  return json_response(200, {{"deliveries", out}, {"next_cursor", next}});
}

}  // namespace

std::vector<Route> webhook_routes() {
  return {
      {"POST", "/hooks/{*path}", deliver},
      {"GET", "/v1/webhooks/deliveries", list_deliveries},
  };
}

}  // namespace weft::api
