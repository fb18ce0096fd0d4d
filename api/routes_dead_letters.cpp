// GET /v1/dead-letters: failed top-level runs (their retries exhausted)
// that nobody has redriven yet, newest first, each with the step that
// failed. A redrive takes a run off the list; failing again puts it back.
#include "api/routes.hpp"
#include "api/run_pages.hpp"

namespace weft::api {
namespace {

nlohmann::json dead_letter(ApiContext& context, const engine::Run& run) {
  nlohmann::json out = {{"id", run.id},
                        {"workflow", run.workflow},
                        {"tenant", run.tenant},
                        {"error", run.error},
                        {"failed_step", nullptr},
                        {"ended_at", run.updated_at}};
  if (auto step = engine::failed_step(context.store.runs().history(run.id)))
    out["failed_step"] = {{"name", step->name}, {"seq", step->seq}, {"attempt", step->attempt}};
  return out;
}

HttpResponse list_dead_letters(const RouteCall& call) {
  engine::RunFilter filter;
  filter.status = engine::RunStatus::Failed;
  filter.top_level_only = true;
  filter.workflow = call.query("workflow").value_or("");
  RunPage page = run_page(call, std::move(filter));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& run : page.runs) out.push_back(dead_letter(call.context, run));
  return json_response(200, {{"dead_letters", out}, {"next_cursor", page.next_cursor}});
}

}  // namespace

std::vector<Route> dead_letter_routes() {
  return {{"GET", "/v1/dead-letters", list_dead_letters}};
}

}  // namespace weft::api
