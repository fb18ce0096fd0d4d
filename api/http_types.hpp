// The HTTP API as plain values: a request (method, target, headers, body)
// and a response (status, headers, JSON body), with the error shape
// {"error":{"code":"...","message":"..."}} every failure answers with.
#pragma once
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace weft::api {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote{};  // the peer's address, e.g. "127.0.0.1"
};

// Set on a response to ask the server to answer only once the run has
// ended (see Router::finished_run) or `timeout` has passed.
struct AwaitRun {
  std::string run_id;
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse;
// Answers a deferred request; call it once, from any thread.
using Reply = std::function<void(HttpResponse)>;

struct HttpResponse {
  int status = 200;
  std::map<std::string, std::string> headers;
  nlohmann::json body = nlohmann::json::object();
  // When set, sent as is instead of `body` (with the Content-Type header
  // the handler sets): the Prometheus text of /metrics.
  std::optional<std::string> raw_body;
  std::optional<AwaitRun> await;
  // Set by a handler whose answer comes later (once a run start is
  // durable, say) without holding an io thread: the server calls it with
  // the Reply that answers, and ignores the rest of this response.
  std::function<void(Reply)> deferred;
};

// Thrown by handlers for a failure the client caused (or may retry);
// the router answers it with error_response(status, code, what()).
struct ApiError : std::runtime_error {
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status(status), code(std::move(code)) {}
  int status;
  std::string code;
};

HttpResponse json_response(int status, nlohmann::json body);
HttpResponse error_response(int status, const std::string& code, const std::string& message);

// How long a client is asked to wait before retrying when the storage is
// unavailable (seconds, the Retry-After of storage_unavailable_response).
constexpr int kStorageRetryAfterSeconds = 5;
// The answer to engine::StorageUnavailable (a full disk, an I/O error):
// 503 `storage_unavailable` with Retry-After. The request changed nothing.
HttpResponse storage_unavailable_response();

// `text` in ASCII lower case: header names, which HTTP compares without case.
std::string ascii_lower(std::string_view text);

}  // namespace weft::api
