// Blob routes: what weft.blob holds, read from outside a workflow —
// GET /v1/blobs?prefix= lists objects, GET /v1/blobs/{path} answers one
// with its content type. A tenant-scoped token reads its tenant's
// namespace only; an unscoped one the shared namespace, or ?tenant=NAME's.
#include "api/routes.hpp"
#include "engine/blob_store.hpp"
#include "engine/tenant.hpp"

namespace weft::api {
namespace {

constexpr int64_t kMaxLimit = 1000;

// The namespace the caller reads: its token's tenant; for an unscoped
// token ?tenant= (none: the shared one). A scoped token naming another
// tenant is refused, not quietly answered from its own.
std::string blob_namespace(const RouteCall& call) {
  auto asked = call.query("tenant");
  if (asked && !engine::valid_tenant_name(*asked))
    throw ApiError(400, "invalid_tenant", "tenant must be 1-64 letters, digits, '-', '_' or '.'");
  if (!call.tenant.empty()) {
    if (asked && *asked != call.tenant)
      throw ApiError(403, "forbidden", "a tenant-scoped token reads its own tenant's blobs only");
    return call.tenant;
  }
  return asked.value_or(engine::kSharedTenant);
}

HttpResponse list_blobs(const RouteCall& call) {
  std::string tenant = blob_namespace(call);
  std::string prefix = call.query("prefix").value_or("");
  std::string after = call.query("cursor").value_or("");
  if (!engine::valid_blob_path(prefix, true) || !engine::valid_blob_path(after, true))
    throw ApiError(400, "invalid_path", "prefix and cursor must be blob paths (relative, no '..' or '//')");
  int64_t limit = call.number_query("limit", 100, 1, kMaxLimit);
  auto blobs = call.context.store.blobs().list_blobs(tenant, prefix, limit, after);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& blob : blobs)
    out.push_back({{"path", blob.path}, {"size", blob.size}, {"content_type", blob.content_type},
                   {"updated_at", blob.updated_at}});
  nlohmann::json next = static_cast<int64_t>(blobs.size()) == limit ? nlohmann::json(blobs.back().path) : nullptr;
  return json_response(200, {{"blobs", out}, {"next_cursor", next}});
}

HttpResponse get_blob(const RouteCall& call) {
  std::string tenant = blob_namespace(call);
  const std::string& path = call.param("path");
  if (!engine::valid_blob_path(path)) throw ApiError(400, "invalid_path", "not a blob path: " + path);
  auto blob = call.context.store.blobs().get_blob(tenant, path);
  if (!blob) throw ApiError(404, "not_found", "no blob " + path);
  HttpResponse response;
  response.headers["Content-Type"] = blob->content_type.empty() ? "application/octet-stream" : blob->content_type;
  response.headers["X-Content-Type-Options"] = "nosniff";  // stored bytes are never run as a page
  response.raw_body = std::move(blob->data);
  return response;
}

}  // namespace

std::vector<Route> blob_routes() {
  return {{"GET", "/v1/blobs", list_blobs}, {"GET", "/v1/blobs/{*path}", get_blob}};
}

}  // namespace weft::api
