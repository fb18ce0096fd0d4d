// weft test's HTTP: canned answers by method and URL pattern in place of
// the network. Every request a run makes is recorded; one that no mock
// matches fails its step (kind "unmatched", not retryable) and is kept
// for the test to report. Shared by the test's thread, which adds mocks
// and reads calls between runs of the engine, and the worker, which asks.
#pragma once
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "stdlib/http_transport.hpp"

namespace weft::api {

struct HttpMock {
  std::string method;       // upper case; "" matches any
  std::string url_pattern;  // the whole URL, query included; '*' matches any text
  stdlib::HttpOutcome answer;
  int64_t times = -1;       // < 0: every matching request, else the next `times`
};

struct HttpCall {
  stdlib::HttpRequest request;
  int64_t mock = -1;  // index of the mock that answered; -1: none matched
};

// '*' in `pattern` matches any run of characters (none included).
bool url_matches(const std::string& pattern, const std::string& url);

class HttpMocks {
 public:
  // Returns the mock's index.
  size_t add(HttpMock mock);
  // The answer for `request` (recorded): the first mock, in the order
  // they were added, that matches and has answers left; nullopt if none.
  std::optional<stdlib::HttpOutcome> answer(const stdlib::HttpRequest& request);

  std::vector<HttpCall> calls() const;
  std::vector<HttpCall> calls_of(size_t mock) const;
  // Requests no mock matched since the last call (each reported once).
  std::vector<stdlib::HttpRequest> take_unmatched();

  // The transport a worker's runs use: answers are delivered on `io`.
  std::shared_ptr<stdlib::HttpTransport> transport(boost::asio::io_context& io);

 private:
  struct Mock {
    HttpMock spec;
    int64_t answered = 0;
  };
  mutable std::mutex mutex_;
  std::vector<Mock> mocks_;
  std::vector<HttpCall> calls_;
  size_t unmatched_reported_ = 0;  // calls_ before this index were looked at
};

}  // namespace weft::api
