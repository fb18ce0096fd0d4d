// POST /v1/admin/reload: reads the workflows folder again (as SIGHUP does).
// New runs get the new versions; runs in flight keep theirs. Operators
// only: a tenant-scoped token is refused.
#include "api/routes.hpp"

namespace weft::api {
namespace {

HttpResponse reload(const RouteCall& call) {
  if (!call.tenant.empty())
    throw ApiError(403, "forbidden", "a tenant-scoped token may not reload the workflows");
  auto problems = call.context.catalog.reload();
  nlohmann::json workflows = nlohmann::json::array();
  for (const auto& script : call.context.catalog.all())
    workflows.push_back({{"name", script.workflow}, {"version", script.hash}});
  return json_response(200, {{"workflows", workflows}, {"problems", problems}});
}

}  // namespace

std::vector<Route> admin_routes() { return {{"POST", "/v1/admin/reload", reload}}; }

}  // namespace weft::api
