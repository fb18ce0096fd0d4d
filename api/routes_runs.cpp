// Run routes: listing and reading runs and their history, delivering
// events, cancelling and retrying, all through the engine and its store;
// a tenant-scoped caller sees only its tenant's runs.
#include "api/routes.hpp"
#include "api/run_pages.hpp"
#include "engine/utf8.hpp"

namespace weft::api {
namespace {

HttpResponse list_runs(const RouteCall& call) {
  engine::RunFilter filter;
  filter.workflow = call.query("workflow").value_or("");
  if (auto status = call.query("status")) {
    filter.status = engine::run_status_from(*status);
    if (!filter.status) throw ApiError(400, "invalid_status", "unknown run status '" + *status + "'");
  }
  if (auto since = call.query("since")) filter.created_since = parse_since(*since);
  filter.forked_from = call.query("forked_from").value_or("");
  filter.started_by = call.query("started_by").value_or("");
  RunPage page = run_page(call, std::move(filter));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& run : page.runs) out.push_back(engine::to_json(run));
  return json_response(200, {{"runs", out}, {"next_cursor", page.next_cursor}});
}

// A run with its lineage both ways: `forked_from` and `started_by`
// (engine::to_json), and the ids of its forks and of the runs it started
// (the first 100 of each; ?forked_from= and ?started_by= list them all).
HttpResponse get_run(const RouteCall& call) {
  engine::Run run = visible_run(call);
  nlohmann::json out = engine::to_json(run);
  engine::RunFilter forks;
  forks.forked_from = run.id;
  forks.limit = 100;
  for (const auto& fork : call.context.store.runs().list_runs(forks)) out["forks"].push_back(fork.id);
  engine::RunFilter started;
  started.started_by = run.id;
  started.limit = 100;
  for (const auto& other : call.context.store.runs().list_runs(started)) out["started"].push_back(other.id);
  return json_response(200, out);
}

// History pages: `limit` events (default 1000, at most 10000) with seq
// after `after_seq` (default 0); `next_after_seq` continues, null on the
// last page. A page never splits the attempts of one seq.
constexpr int64_t kHistoryDefaultLimit = 1000;
constexpr int64_t kHistoryMaxLimit = 10000;

// The query parameter as a whole number in [low, high], or `fallback`.
int64_t count_query(const RouteCall& call, const std::string& name, int64_t fallback, int64_t low,
                    int64_t high, const char* code) {
  auto text = call.query(name);
  if (!text) return fallback;
  bool digits = !text->empty() && text->size() <= 18 &&
                text->find_first_not_of("0123456789") == std::string::npos;
  int64_t value = digits ? std::stoll(*text) : -1;
  if (value < low || value > high)
    throw ApiError(400, code, name + " must be a whole number between " + std::to_string(low) +
                                  " and " + std::to_string(high));
  return value;
}

HttpResponse get_history(const RouteCall& call) {
  const std::string id = visible_run(call).id;
  int64_t limit = count_query(call, "limit", kHistoryDefaultLimit, 1, kHistoryMaxLimit, "invalid_limit");
  int64_t after = count_query(call, "after_seq", 0, 0, INT64_MAX / 2, "invalid_cursor");
  engine::HistoryPage page = call.context.store.runs().history_page(id, after, limit);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& event : page.events) out.push_back(engine::to_json(event));
  nlohmann::json next = page.more && !page.events.empty() ? nlohmann::json(page.events.back().seq) : nullptr;
  return json_response(200, {{"history", out}, {"next_after_seq", next}});
}

HttpResponse deliver_event(const RouteCall& call) {
  if (!engine::valid_utf8(call.param("name")) || call.param("name").find('\0') != std::string::npos)
    throw ApiError(400, "invalid_event_name", "the event name is not valid UTF-8 without NUL bytes");
  nlohmann::json payload = call.json_body(nullptr);
  const std::string id = visible_run(call).id;
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
  const std::string id = visible_run(call).id;
  switch (call.context.engine.cancel(id)) {
    case engine::CancelOutcome::NotFound:
      throw ApiError(404, "run_not_found", "no run " + id);
    case engine::CancelOutcome::AlreadyFinished:
      throw ApiError(409, "run_ended", "run " + id + " has already ended");
    case engine::CancelOutcome::Cancelled:
      return json_response(200, engine::to_json(visible_run(call)));
    case engine::CancelOutcome::Requested:
      break;
  }
  return json_response(202, engine::to_json(visible_run(call)));
}

HttpResponse retry_run(const RouteCall& call) {
  nlohmann::json body = call.json_body(nlohmann::json::object());
  if (body.is_object() && body.contains("version")) return retry_on_version_route(call, body);
  const std::string id = visible_run(call).id;
  switch (call.context.engine.retry(id)) {
    case engine::RetryOutcome::NotFound:
      throw ApiError(404, "run_not_found", "no run " + id);
    case engine::RetryOutcome::NotFailed:
      throw ApiError(409, "run_not_failed", "run " + id + " has not failed; only failed runs are retried");
    case engine::RetryOutcome::ChildRun:
      throw ApiError(409, "child_run", "run " + id + " is a child run; retry its parent");
    case engine::RetryOutcome::Retried:
      break;
  }
  return json_response(202, engine::to_json(visible_run(call)));
}

}  // namespace

engine::Run visible_run(const RouteCall& call) {
  auto run = call.context.store.runs().get_run(call.param("id"));
  if (!run || !call.sees(*run)) throw ApiError(404, "run_not_found", "no run " + call.param("id"));
  return *run;
}

std::vector<Route> run_routes() {
  return {
      {"GET", "/v1/runs", list_runs},
      {"GET", "/v1/runs/{id}", get_run},
      {"GET", "/v1/runs/{id}/history", get_history},
      {"POST", "/v1/runs/{id}/events/{name}", deliver_event},
      {"POST", "/v1/runs/{id}/cancel", cancel_run},
      {"POST", "/v1/runs/{id}/retry", retry_run},
  };
}

std::optional<HttpResponse> awaited_run_response(ApiContext& context, const std::string& run_id,
                                                 bool timed_out) {
  auto run = context.store.runs().get_run(run_id);
  if (!run) return error_response(404, "run_not_found", "no run " + run_id);
  bool ended = engine::is_finished(run->status);
  if (!ended && !timed_out) return std::nullopt;
  return json_response(ended ? 200 : 202, engine::to_json(*run));
}

}  // namespace weft::api
