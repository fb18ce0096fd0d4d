// The router (see router.hpp): pattern matching over the route table,
// auth, and the catch-all that keeps a handler failure from escaping.
#include "api/router.hpp"

#include "api/json_limits.hpp"
#include "engine/log.hpp"
#include "engine/storage_error.hpp"
#include "stdlib/crypto_primitives.hpp"

namespace weft::api {
namespace {

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "{*rest}": the remaining segments, at least one.
bool is_rest(const std::string& segment) { return is_param(segment) && segment[1] == '*'; }

// The pattern's parameters when `path` matches it.
std::optional<std::map<std::string, std::string>> match(const std::vector<std::string>& pattern,
                                                        const std::vector<std::string>& path) {
  bool rest = !pattern.empty() && is_rest(pattern.back());
  if (rest ? path.size() < pattern.size() : pattern.size() != path.size()) return std::nullopt;
  std::map<std::string, std::string> params;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (rest && i + 1 == pattern.size()) {
      std::string joined = path[i];
      for (size_t j = i + 1; j < path.size(); ++j) joined += "/" + path[j];
      params[pattern[i].substr(2, pattern[i].size() - 3)] = joined;
    } else if (is_param(pattern[i]))
      params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    else if (pattern[i] != path[i])
      return std::nullopt;
  }
  return params;
}

// The API and the metrics need a token (when tokens are configured);
// /healthz and webhook routes (verified by signature) do not. Decided on
// the same decoded segments the routes are matched on, so no spelling of
// a path ("/metrics/", "//metrics", "/%6detrics") reaches a route without
// the check its canonical spelling gets.
bool needs_token(const Target& target) {
  if (target.segments.empty()) return false;
  return target.segments.front() == "v1" || target.segments.front() == "metrics";
}

}  // namespace

std::optional<std::string> RouteCall::query(const std::string& name) const {
  auto it = target.query.find(name);
  if (it == target.query.end()) return std::nullopt;
  return it->second;
}

int64_t RouteCall::number_query(const char* name, int64_t fallback, int64_t low, int64_t high) const {
  auto text = query(name);
  if (!text) return fallback;
  bool digits = !text->empty() && text->size() < 16 && text->find_first_not_of("0123456789") == std::string::npos;
  int64_t value = digits ? std::stoll(*text) : -1;
  if (value < low || value > high)
    throw ApiError(400, "invalid_query", std::string(name) + " must be an integer between " +
                                             std::to_string(low) + " and " + std::to_string(high));
  return value;
}

nlohmann::json RouteCall::json_body(nlohmann::json fallback) const {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return fallback;
  if (!engine::valid_utf8(request.body))
    throw ApiError(400, "invalid_utf8", "the request body is not valid UTF-8");
  try {
    return engine::parse_json(request.body, kMaxRequestJsonDepth);
  } catch (const engine::JsonTextError& e) {
    if (e.code == engine::JsonTextError::Code::TooDeep)
      throw ApiError(400, "json_too_deep", "the request body nests arrays and objects deeper than " +
                                               std::to_string(kMaxRequestJsonDepth) + " levels");
    throw ApiError(400, "invalid_json", "the request body is not valid JSON");
  }
}

Router::Router(ApiContext context, std::vector<ApiToken> tokens, RunWaiters* waiters)
    : context_(context), tokens_(std::move(tokens)), waiters_(waiters) {
  for (auto table : {health_routes(), metrics_routes(), workflow_routes(), run_routes(),
                     version_routes(), dead_letter_routes(), admin_routes(), webhook_routes(),
                     blob_routes(), queue_routes(), limit_routes()}) {
    for (auto& route : table) {
      auto target = parse_target(route.pattern);
      entries_.push_back({std::move(route), target->segments});
    }
  }
}

std::vector<Router::RouteSignature> Router::route_table() const {
  std::vector<RouteSignature> table;
  for (const auto& entry : entries_) table.push_back({entry.route.method, entry.route.pattern});
  return table;
}

HttpResponse Router::handle(const ApiRequest& request) {
  try {
    return dispatch(request);
  } catch (const ApiError& e) {
    return error_response(e.status, e.code, e.what());
  } catch (const engine::StorageUnavailable& e) {
    log::warn("request failed: storage unavailable", {{"method", request.method}, {"error", e.what()}});
    return storage_unavailable_response();
  } catch (const std::exception& e) {
    log::error("request failed", {{"method", request.method}, {"target", request.target},
                                  {"error", e.what()}});
    return error_response(500, "internal", "internal error");
  } catch (...) {
    return error_response(500, "internal", "internal error");
  }
}

std::optional<HttpResponse> Router::awaited_run(const std::string& run_id, bool timed_out) {
  try {
    return awaited_run_response(context_, run_id, timed_out);
  } catch (const engine::StorageUnavailable&) {
    return storage_unavailable_response();
  } catch (...) {
    return error_response(500, "internal", "internal error");
  }
}

HttpResponse Router::dispatch(const ApiRequest& request) {
  std::string why;
  auto target = parse_target(request.target, &why);
  if (!target) return error_response(400, "bad_target", why);
  std::optional<std::string> tenant = authorize(request);
  if (needs_token(*target) && !tenant)
    return error_response(401, "unauthorized", "a valid 'Authorization: Bearer <token>' is required");
  std::string allowed;
  for (const auto& entry : entries_) {
    auto params = match(entry.segments, target->segments);
    if (!params) continue;
    if (entry.route.method == request.method) {
      RouteCall call{request, *target, std::move(*params), context_, tenant.value_or("")};
      return entry.route.handler(call);
    }
    allowed += (allowed.empty() ? "" : ", ") + entry.route.method;
  }
  if (allowed.empty()) return error_response(404, "not_found", "no route for " + target->path);
  auto response = error_response(405, "method_not_allowed",
                                 request.method + " is not allowed on " + target->path);
  response.headers["Allow"] = allowed;
  return response;
}

std::optional<std::string> Router::authorize(const ApiRequest& request) const {
  if (tokens_.empty()) return "";
  auto header = request.headers.find("authorization");
  if (header == request.headers.end()) return std::nullopt;
  constexpr std::string_view kScheme = "Bearer ";
  if (header->second.size() <= kScheme.size() ||
      header->second.compare(0, kScheme.size(), kScheme) != 0)
    return std::nullopt;
  std::string_view given = std::string_view(header->second).substr(kScheme.size());
  const ApiToken* match = nullptr;
  for (const auto& token : tokens_)  // every token compared: no early exit
    if (stdlib::crypto::equal(given, token.token) && !match) match = &token;
  if (!match) return std::nullopt;
  return match->tenant;
}

}  // namespace weft::api
