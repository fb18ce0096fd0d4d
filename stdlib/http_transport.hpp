// What weft.http sends and gets back, and where it sends it: the real
// client (http_client.hpp) in every process, canned answers under weft
// test (api/http_mocks.hpp). weft.http finds the transport among the
// run's services, so it never knows which one it has.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace weft::stdlib {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool has_body = false;
  int64_t timeout_ms = 30'000;
  int64_t connect_timeout_ms = 10'000;
  int64_t max_body_bytes = 10 << 20;
  bool follow_redirects = false;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
};

// A failed transfer, classified for retries.
struct HttpError {
  std::string kind;  // timeout, connect, tls, too_large, protocol
  std::string message;
  bool retryable = false;
};

struct HttpOutcome {
  bool ok = false;
  HttpResponse response;
  HttpError error;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  using Done = std::function<void(HttpOutcome)>;
  // Starts the request; `done` runs later on the worker loop's thread,
  // never inside this call.
  virtual void start(const HttpRequest& request, Done done) = 0;
};

}  // namespace weft::stdlib
