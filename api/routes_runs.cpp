// Run routes: listing and reading runs and their history, delivering
// events and cancelling, all through the engine and its store.
#include "api/routes.hpp"

namespace weft::api {
namespace {

constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 1000;

engine::Run existing_run(const RouteCall& call) {
  auto run = call.context.store.get_run(call.param("id"));
  if (!run) throw ApiError(404, "run_not_found", "no run " + call.param("id"));
  return *run;
}

int64_t limit_of(const RouteCall& call) {
  auto text = call.query("limit");
  if (!text) return kDefaultLimit;
  bool digits = !text->empty() && text->size() < 10 &&
                text->find_first_not_of("0123456789") == std::string::npos;
  int64_t limit = digits ? std::stoll(*text) : 0;
  if (limit < 1 || limit > kMaxLimit)
    throw ApiError(400, "invalid_limit", "limit must be between 1 and 1000");
  return limit;
}

HttpResponse list_runs(const RouteCall& call) {
  engine::RunFilter filter;
  filter.workflow = call.query("workflow").value_or("");
  if (auto status = call.query("status")) {
    filter.status = engine::run_status_from(*status);
    if (!filter.status) throw ApiError(400, "invalid_status", "unknown run status '" + *status + "'");
  }
  filter.limit = limit_of(call);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& run : call.context.store.list_runs(filter)) out.push_back(engine::to_json(run));
  return json_response(200, {{"runs", out}});
}

HttpResponse get_run(const RouteCall& call) {
  return json_response(200, engine::to_json(existing_run(call)));
}

HttpResponse get_history(const RouteCall& call) {
  existing_run(call);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& event : call.context.store.history(call.param("id")))
    out.push_back(engine::to_json(event));
  return json_response(200, {{"history", out}});
}

HttpResponse deliver_event(const RouteCall& call) {
  nlohmann::json payload = call.json_body(nullptr);
  const std::string& id = call.param("id");
  switch (call.context.engine.deliver_event(id, call.param("name"), payload)) {
    case engine::DeliverOutcome::NotFound:
      throw ApiError(404, "run_not_found", "no run " + id);
    case engine::DeliverOutcome::AlreadyFinished:
      throw ApiError(409, "run_ended", "run " + id + " has already ended");
    case engine::DeliverOutcome::Delivered:
      break;
  }
  return json_response(202, {{"delivered", call.param("name")}, {"run_id", id}});
}

HttpResponse cancel_run(const RouteCall& call) {
  const std::string& id = call.param("id");
  switch (call.context.engine.cancel(id)) {
    case engine::CancelOutcome::NotFound:
      throw ApiError(404, "run_not_found", "no run " + id);
    case engine::CancelOutcome::AlreadyFinished:
      throw ApiError(409, "run_ended", "run " + id + " has already ended");
    case engine::CancelOutcome::Cancelled:
      return json_response(200, engine::to_json(existing_run(call)));
    case engine::CancelOutcome::Requested:
      break;
  }
  return json_response(202, engine::to_json(existing_run(call)));
}

}  // namespace

std::vector<Route> run_routes() {
  return {
      {"GET", "/v1/runs", list_runs},
      {"GET", "/v1/runs/{id}", get_run},
      {"GET", "/v1/runs/{id}/history", get_history},
      {"POST", "/v1/runs/{id}/events/{name}", deliver_event},
      {"POST", "/v1/runs/{id}/cancel", cancel_run},
  };
}

std::optional<HttpResponse> awaited_run_response(ApiContext& context, const std::string& run_id,
                                                 bool timed_out) {
  auto run = context.store.get_run(run_id);
  if (!run) return error_response(404, "run_not_found", "no run " + run_id);
  bool ended = engine::is_finished(run->status);
  if (!ended && !timed_out) return std::nullopt;
  return json_response(ended ? 200 : 202, engine::to_json(*run));
}

}  // namespace weft::api
