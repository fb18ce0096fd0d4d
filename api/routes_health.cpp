// GET /healthz: liveness and the storage's health, never behind auth.
// 200 while the storage takes writes; 503 with Retry-After while it does
// not (disk full, I/O errors: engine/storage_error.hpp).
#include "api/routes.hpp"
#include "engine/storage_error.hpp"

namespace weft::api {
namespace {

HttpResponse health(const RouteCall&) {
  engine::StorageHealth storage = engine::storage_health();
  if (storage.available) return json_response(200, {{"status", "ok"}, {"storage", "ok"}});
  auto response = json_response(503, {{"status", "unavailable"},
                                      {"storage", "unavailable"},
                                      {"storage_error", storage.error},
                                      {"storage_unavailable_since_ms", storage.since_ms}});
  response.headers["Retry-After"] = std::to_string(kStorageRetryAfterSeconds);
  return response;
}

}  // namespace

std::vector<Route> health_routes() { return {{"GET", "/healthz", health}}; }

}  // namespace weft::api
