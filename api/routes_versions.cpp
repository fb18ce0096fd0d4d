// Routes that put a run on other code, each checked by a replay with no
// side effects: POST /v1/runs/{id}/replay (the report only), .../fork (a
// new run from a position) and .../retry with a version (a redrive on it).
// A version is "latest" (what the server serves now for the workflow) or
// a stored version's hash; none is the run's own.
#include "api/routes.hpp"
#include "api/version_actions.hpp"
#include "dsl/replay_frames.hpp"
#include "dsl/replayer.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

engine::ScriptVersion chosen_version(const RouteCall& call, const engine::Run& run, const json& body) {
  std::string hash = run.script_hash;
  if (body.contains("version") && !body["version"].is_null()) {
    if (!body["version"].is_string())
      throw ApiError(400, "invalid_version", "version must be \"latest\" or a version hash");
    hash = body["version"].get<std::string>();
    if (hash == "latest") {
      auto info = call.context.catalog.by_name(run.workflow);
      if (!info) throw ApiError(404, "workflow_not_found", "no workflow '" + run.workflow + "' is loaded");
      hash = info->hash;
    }
  }
  try {
    return call.context.catalog.version(hash);
  } catch (const std::exception&) {
    throw ApiError(404, "version_not_found", "no script version " + hash);
  }
}

json object_body(const RouteCall& call) {
  json body = call.json_body(json::object());
  if (!body.is_object()) throw ApiError(400, "invalid_body", "the body must be a JSON object");
  return body;
}

HttpResponse replay_route(const RouteCall& call) {
  engine::Run run = visible_run(call);
  engine::ScriptVersion version = chosen_version(call, run, object_body(call));
  dsl::Replayer replayer;
  json out = dsl::to_json(replayer.replay(run, call.context.store.runs().history(run.id), version));
  out["run"] = run.id;
  out["version"] = version.hash;
  return json_response(200, out);
}

HttpResponse fork_route(const RouteCall& call) {
  engine::Run run = visible_run(call);
  json body = object_body(call);
  ForkRequest request;
  const json& from = body.contains("from_step") ? body["from_step"] : json();
  if (from.is_number_unsigned())
    request.position = std::to_string(from.get<uint64_t>());
  else if (from.is_string())
    request.position = from.get<std::string>();
  else
    throw ApiError(400, "invalid_from_step", "from_step must be a seq (number) or a branch path (\"4/2/1\")");
  if (body.contains("input")) request.input = body["input"];
  request.dry_run = body.value("dry_run", false);
  request.force = body.value("force", false);
  engine::ScriptVersion version = chosen_version(call, run, body);
  ForkResult result;
  try {
    result = api::fork_run(call.context.store, run, version, request, call.context.engine.clock().now_ms());
  } catch (const std::invalid_argument& e) {
    throw ApiError(400, "invalid_from_step", e.what());
  }
  json out = result.preview;
  if (result.refused) {
    out["error"] = {{"code", "diverged"},
                    {"message", "the history before the position diverges on this version; force forks anyway"}};
    return json_response(409, out);
  }
  if (request.dry_run) return json_response(200, out);
  call.context.engine.wake_now();
  out["fork"] = engine::to_json(*call.context.store.runs().get_run(result.fork_id));
  return json_response(201, out);
}

// GET /v1/runs/{id}/frames/{seq}[?version=V][&expression=E]: the
// workflow's state at a recorded call (dsl/replay_frames.hpp).
HttpResponse frame_route(const RouteCall& call) {
  engine::Run run = visible_run(call);
  const std::string& seq_text = call.param("seq");
  bool digits = !seq_text.empty() && seq_text.size() <= 18 &&
                seq_text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) throw ApiError(400, "invalid_seq", "seq must be a whole number");
  int64_t seq = std::stoll(seq_text);
  auto history = call.context.store.runs().history(run.id);
  const engine::HistoryEvent* event = nullptr;
  for (const auto& recorded : history)
    if (recorded.seq == seq) event = &recorded;  // the latest attempt
  if (!event) throw ApiError(404, "call_not_found", "run " + run.id + " has no call at seq " + seq_text);
  json selector = json::object();
  if (auto version = call.query("version")) selector["version"] = *version;
  engine::ScriptVersion version = chosen_version(call, run, selector);
  dsl::Replayer replayer;
  dsl::Frame frame = dsl::frame_at(replayer, run, history, version, seq, call.query("expression").value_or(""));
  json out = dsl::to_json(frame);
  out["call"] = engine::to_json(*event);
  out["run"] = run.id;
  out["version"] = version.hash;
  return json_response(200, out);
}

}  // namespace

// POST /v1/runs/{id}/retry with {"version": ...} (routes_runs.cpp calls it).
HttpResponse retry_on_version_route(const RouteCall& call, const json& body) {
  engine::Run run = visible_run(call);
  engine::ScriptVersion version = chosen_version(call, run, body);
  VersionRetry retry = retry_on_version(call.context.store, run, version, call.context.engine.clock().now_ms());
  if (retry.refused) {
    json out = dsl::to_json(retry.check);
    out["error"] = {{"code", "diverged"}, {"message", "the run's history diverges on this version"}};
    return json_response(409, out);
  }
  switch (retry.outcome) {
    case engine::RetryOutcome::NotFound:
      throw ApiError(404, "run_not_found", "no run " + run.id);
    case engine::RetryOutcome::NotFailed:
      throw ApiError(409, "run_not_failed", "run " + run.id + " has not failed; only failed runs are retried");
    case engine::RetryOutcome::ChildRun:
      throw ApiError(409, "child_run", "run " + run.id + " is a child run; retry its parent");
    case engine::RetryOutcome::Retried:
      break;
  }
  call.context.engine.wake_now();
  return json_response(202, engine::to_json(*call.context.store.runs().get_run(run.id)));
}

std::vector<Route> version_routes() {
  return {
      {"POST", "/v1/runs/{id}/replay", replay_route},
      {"POST", "/v1/runs/{id}/fork", fork_route},
      {"GET", "/v1/runs/{id}/frames/{seq}", frame_route},
  };
}

}  // namespace weft::api
