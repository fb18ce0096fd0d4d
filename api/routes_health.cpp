// GET /healthz: liveness, never behind auth.
#include "api/routes.hpp"

namespace weft::api {

std::vector<Route> health_routes() {
  return {{"GET", "/healthz", [](const RouteCall&) { return json_response(200, {{"status", "ok"}}); }}};
}

}  // namespace weft::api
