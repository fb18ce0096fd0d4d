// GET /v1/limits: the rate limits with state — shared by every process on
// the database — with tokens left, the adaptive slowdown in force, runs
// waiting on each and the push-backs (429s) providers sent.
#include "api/routes.hpp"

namespace weft::api {
namespace {

constexpr int64_t kMaxLimits = 1000;

HttpResponse list_limits(const RouteCall& call) {
  if (!call.tenant.empty())
    throw ApiError(403, "forbidden", "a tenant-scoped token may not read the limits every tenant shares");
  int64_t limit = call.number_query("limit", 100, 1, kMaxLimits);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& status : call.context.engine.limiter().status(call.context.engine.clock().now_ms(), limit))
    out.push_back(engine::to_json(status));
  return json_response(200, {{"limits", std::move(out)}});
}

}  // namespace

std::vector<Route> limit_routes() { return {{"GET", "/v1/limits", list_limits}}; }

}  // namespace weft::api
