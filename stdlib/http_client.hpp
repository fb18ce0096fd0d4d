// A non-blocking HTTP client over the worker's curl multi driver
// (curl_multi.hpp): the request yields nothing here, its completion runs
// on the loop's thread when the response is in. One thread serves
// hundreds of requests at once.
#pragma once
#include "stdlib/curl_multi.hpp"
#include "stdlib/http_transport.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <string>

namespace weft::stdlib {

class HttpClient final : public HttpTransport {
 public:
  explicit HttpClient(boost::asio::io_context& io) : multi_(io) {}

  void start(const HttpRequest& request, Done done) override;

 private:
  struct Transfer;
  CurlMulti multi_;
};

// Classifies an HTTP status for retries: 408, 429 and 5xx are retryable.
bool retryable_status(long status);

// Seconds to wait from a Retry-After value (seconds or an HTTP date), or
// a negative number when absent or unreadable.
double retry_after_seconds(const std::string& value, int64_t now_unix_seconds);

}  // namespace weft::stdlib
