// Workflow routes: listing the loaded workflows with their triggers,
// describing one (a pipeline with its graph), and
// starting runs (POST /v1/workflows/{name}/runs: start_request.hpp).
#include "api/routes.hpp"
#include "api/start_request.hpp"
#include "engine/schedules.hpp"
#include "engine/webhook_spec.hpp"

namespace weft::api {
namespace {

// The cron triggers of every loaded workflow with their next fire times.
std::map<std::string, nlohmann::json> cron_triggers(ApiContext& context) {
  std::map<std::string, nlohmann::json> triggers;
  for (const auto& fire : engine::upcoming_fires(context.catalog, engine::SystemClock().now_ms())) {
    nlohmann::json next = fire.next_fire ? nlohmann::json(engine::iso_utc(*fire.next_fire))
                                         : nlohmann::json(nullptr);
    triggers[fire.workflow].push_back({{"type", "cron"},
                                       {"expr", fire.schedule.expr},
                                       {"zone", fire.schedule.zone},
                                       {"overlap", fire.schedule.overlap},
                                       {"catch_up", fire.schedule.catch_up},
                                       {"next_fire", next}});
  }
  return triggers;
}

HttpResponse list_workflows(const RouteCall& call) {
  auto triggers = cron_triggers(call.context);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& script : call.context.catalog.all()) {
    auto found = triggers.find(script.workflow);
    nlohmann::json listed = found == triggers.end() ? nlohmann::json::array() : found->second;
    for (const auto& hook : script.webhooks) listed.push_back(engine::to_json(hook));
    if (!script.queue.name.empty() && script.queue.key_path.empty()) listed.push_back(engine::to_json(script.queue));
    out.push_back({{"name", script.workflow},
                   {"version", script.hash},
                   {"triggers", std::move(listed)},
                   {"secrets", script.secrets}});
  }
  return json_response(200, {{"workflows", out}});
}

// One workflow: its version, triggers, policies and, for a pipeline, its
// graph (nodes and edges, for the web UI). The same for every token.
HttpResponse get_workflow(const RouteCall& call) {
  const std::string& name = call.param("name");
  auto description = call.context.catalog.describe(name);
  if (!description) throw ApiError(404, "unknown_workflow", "no workflow named '" + name + "'");
  return json_response(200, *description);
}

HttpResponse start_run(const RouteCall& call) {
  const std::string& name = call.param("name");
  auto wait = wait_option(call);
  nlohmann::json input = call.json_body(nlohmann::json::object());
  if (!call.context.catalog.by_name(name))
    throw ApiError(404, "unknown_workflow", "no workflow named '" + name + "'");
  return deferred_start(call, name, std::move(input), start_options(call), wait);
}

}  // namespace

std::vector<Route> workflow_routes() {
  return {
      {"GET", "/v1/workflows", list_workflows},
      {"GET", "/v1/workflows/{name}", get_workflow},
      {"POST", "/v1/workflows/{name}/runs", start_run},
  };
}

}  // namespace weft::api
