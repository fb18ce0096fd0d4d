// Workflow routes: listing the loaded workflows with their triggers,
// describing one (a pipeline with its graph), and
// starting runs (POST /v1/workflows/{name}/runs: Idempotency-Key, the
// caller's tenant, optionally waiting for the end).
#include <algorithm>

#include "api/routes.hpp"
#include "engine/duration.hpp"
#include "engine/log.hpp"
#include "engine/schedules.hpp"
#include "engine/webhook_spec.hpp"
#include "engine/storage_error.hpp"

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

// Idempotency-Key: 1-255 printable ASCII characters.
std::string idempotency_key_of(const ApiRequest& request) {
  auto header = request.headers.find("idempotency-key");
  if (header == request.headers.end()) return "";
  const std::string& key = header->second;
  bool printable = std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  if (key.empty() || key.size() > 255 || !printable)
    throw ApiError(400, "invalid_idempotency_key",
                   "Idempotency-Key must be 1-255 printable ASCII characters without spaces");
  return key;
}

// The answer to a start once it is durable (or has failed): 201 and the
// new run, 200 and the earlier run for a replayed Idempotency-Key, or the
// error; with `wait`, the run's end is awaited first.
HttpResponse started_response(const engine::StartResult& started, std::exception_ptr error,
                              std::optional<std::chrono::milliseconds> wait) {
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const engine::IdempotencyConflict& e) {
      return error_response(409, "idempotency_conflict", e.what());
    } catch (const std::invalid_argument& e) {
      return error_response(422, "run_rejected", e.what());
    } catch (const engine::StorageUnavailable& e) {
      log::warn("request failed: storage unavailable", {{"error", e.what()}});
      return storage_unavailable_response();
    } catch (const std::exception& e) {
      log::error("starting a run failed", {{"error", e.what()}});
      return error_response(500, "internal", "internal error");
    }
  }
  HttpResponse response = json_response(started.replayed ? 200 : 201, engine::to_json(started.run));
  if (started.replayed) response.headers["Idempotent-Replayed"] = "true";
  if (wait) {
    response.status = 202;
    response.await = AwaitRun{started.run.id, *wait};
  }
  return response;
}

HttpResponse start_run(const RouteCall& call) {
  const std::string& name = call.param("name");
  std::optional<std::chrono::milliseconds> wait;
  if (auto text = call.query("wait")) wait = wait_of(*text);
  nlohmann::json input = call.json_body(nlohmann::json::object());
  if (!call.context.catalog.by_name(name))
    throw ApiError(404, "unknown_workflow", "no workflow named '" + name + "'");
  engine::StartOptions options;
  options.idempotency_key = idempotency_key_of(call.request);
  options.tenant = call.tenant;
  // Answered once the run is durable, without holding an io thread meanwhile.
  HttpResponse response;
  response.deferred = [&engine = call.context.engine, name, input = std::move(input), options,
                       wait](Reply reply) mutable {
    engine.start_run_async(name, std::move(input), options,
                           [reply, wait](const engine::StartResult& started, std::exception_ptr error) {
                             reply(started_response(started, error, wait));
                           });
  };
  return response;
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
