// The route table's parts: what a handler receives (request, path
// parameters, query, the engine), the Route entry, and the tables each
// routes_*.cpp file contributes.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/http_target.hpp"
#include "api/http_types.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "engine/engine.hpp"

namespace weft::api {

class WebhookIngress;

struct ApiContext {
  engine::Store& store;
  dsl::LuaWorkflowCatalog& catalog;
  engine::Engine& engine;
  WebhookIngress* webhooks = nullptr;  // null: no webhook routes are served
};

struct RouteCall {
  const ApiRequest& request;
  const Target& target;
  std::map<std::string, std::string> params;  // from {name} segments of the pattern
  ApiContext& context;
  std::string tenant;  // the caller's token's tenant; empty: every tenant

  // Whether the caller may see the run (another tenant's run is a 404).
  bool sees(const engine::Run& run) const { return tenant.empty() || run.tenant == tenant; }
  const std::string& param(const std::string& name) const { return params.at(name); }
  std::optional<std::string> query(const std::string& name) const;
  // The query parameter `name` as an integer in [low, high], `fallback`
  // when absent; throws ApiError 400 invalid_query otherwise.
  int64_t number_query(const char* name, int64_t fallback, int64_t low, int64_t high) const;
  // The body as JSON; an empty body is `fallback`. Throws ApiError 400 when
  // malformed (invalid_json), not UTF-8 (invalid_utf8) or nested deeper
  // than kMaxRequestJsonDepth (json_too_deep).
  nlohmann::json json_body(nlohmann::json fallback) const;
};

using Handler = std::function<HttpResponse(const RouteCall&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/v1/runs/{id}/events/{name}"; a last "{*rest}" takes 1+ segments
  Handler handler;
};

std::vector<Route> health_routes();    // routes_health.cpp
std::vector<Route> metrics_routes();   // routes_metrics.cpp
std::vector<Route> workflow_routes();  // routes_workflows.cpp
std::vector<Route> run_routes();       // routes_runs.cpp
std::vector<Route> admin_routes();     // routes_admin.cpp
std::vector<Route> dead_letter_routes();  // routes_dead_letters.cpp
std::vector<Route> webhook_routes();   // routes_webhooks.cpp
std::vector<Route> version_routes();   // routes_versions.cpp
std::vector<Route> blob_routes();      // routes_blobs.cpp
std::vector<Route> queue_routes();     // routes_queues.cpp
std::vector<Route> limit_routes();     // routes_limits.cpp

// The run of the path's {id}, if the caller may see it (another tenant's
// run is not found, so that its existence does not leak). routes_runs.cpp
engine::Run visible_run(const RouteCall& call);

// POST /v1/runs/{id}/retry with {"version": ...}: a redrive on that
// version after a replay check. routes_versions.cpp
HttpResponse retry_on_version_route(const RouteCall& call, const nlohmann::json& body);

// The answer to a POST .../runs?wait= (routes_runs.cpp): 200 and the run once
// it has ended; when `timed_out`, 202 and the run as it is; else nullopt.
std::optional<HttpResponse> awaited_run_response(ApiContext& context, const std::string& run_id,
                                                 bool timed_out);

}  // namespace weft::api
