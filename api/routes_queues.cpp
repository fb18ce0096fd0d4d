// Queue routes: GET /v1/queues (each queue the workflows declare, with its
// depth by priority, active runs and oldest wait, counted across every
// process on the database) and POST /v1/queues/{name}/messages (a run of
// the queue's workflow with the body as input, admitted by the queue).
#include "api/routes.hpp"
#include "api/start_request.hpp"

namespace weft::api {
namespace {

HttpResponse list_queues(const RouteCall& call) {
  if (!call.tenant.empty())
    throw ApiError(403, "forbidden", "a tenant-scoped token may not read the queues of every tenant");
  int64_t now = call.context.engine.clock().now_ms();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& queue : call.context.catalog.queues())
    out.push_back(engine::queue_status_json(queue, call.context.store.runs().queue_stats(queue, now), now));
  return json_response(200, {{"queues", std::move(out)}});
}

HttpResponse post_message(const RouteCall& call) {
  const std::string& name = call.param("name");
  nlohmann::json input = call.json_body(nlohmann::json::object());
  for (const auto& queue : call.context.catalog.queues())
    if (queue.name == name && queue.key_path.empty()) return deferred_start(call, queue.workflow, std::move(input), start_options(call));
  throw ApiError(404, "unknown_queue", "no workflow declares a queue named '" + name + "'");
}

}  // namespace

std::vector<Route> queue_routes() {
  return {
      {"GET", "/v1/queues", list_queues},
      {"POST", "/v1/queues/{name}/messages", post_message},
  };
}

}  // namespace weft::api
