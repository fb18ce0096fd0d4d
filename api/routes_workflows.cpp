// Workflow routes: listing the loaded workflows and starting runs
// (POST /v1/workflows/{name}/runs, optionally waiting for the end).
#include <cctype>

#include "api/routes.hpp"
#include "engine/duration.hpp"

namespace weft::api {
namespace {

constexpr int64_t kMaxWaitMs = 300'000;

// "?wait=30s" or "?wait=30" (seconds), at most kMaxWaitMs.
std::chrono::milliseconds wait_of(const std::string& text) {
  int64_t ms = 0;
  try {
    bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    ms = digits ? std::stoll(text) * 1000 : engine::parse_duration_ms(text);
  } catch (const std::exception&) {
    throw ApiError(400, "invalid_wait", "wait must be seconds or a duration like 30s: " + text);
  }
  if (ms < 0 || ms > kMaxWaitMs)
    throw ApiError(400, "invalid_wait", "wait must be between 0 and 300 seconds");
  return std::chrono::milliseconds(ms);
}

HttpResponse list_workflows(const RouteCall& call) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& script : call.context.catalog.all())
    out.push_back({{"name", script.workflow}, {"version", script.hash}});
  return json_response(200, {{"workflows", out}});
}

HttpResponse start_run(const RouteCall& call) {
  const std::string& name = call.param("name");
  std::optional<std::chrono::milliseconds> wait;
  if (auto text = call.query("wait")) wait = wait_of(*text);
  nlohmann::json input = call.json_body(nlohmann::json::object());
  if (!call.context.catalog.by_name(name))
    throw ApiError(404, "unknown_workflow", "no workflow named '" + name + "'");
  engine::Run run;
  try {
    run = call.context.engine.start_run(name, std::move(input));
  } catch (const std::invalid_argument& e) {
    throw ApiError(422, "run_rejected", e.what());
  }
  if (!wait) return json_response(201, engine::to_json(run));
  auto response = json_response(202, engine::to_json(run));
  response.await = AwaitRun{run.id, *wait};
  return response;
}

}  // namespace

std::vector<Route> workflow_routes() {
  return {
      {"GET", "/v1/workflows", list_workflows},
      {"POST", "/v1/workflows/{name}/runs", start_run},
  };
}

}  // namespace weft::api
