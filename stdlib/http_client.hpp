// A non-blocking HTTP client: libcurl's multi interface driven by an Asio
// event loop (the worker's). Curl tells which sockets to watch and when
// its timer fires; the loop reports readiness back; finished transfers
// call their completion on the loop's thread. One thread serves hundreds
// of requests at once.
#pragma once
#include <curl/curl.h>

#include "stdlib/http_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace weft::stdlib {

class HttpClient final : public HttpTransport {
 public:
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void start(const HttpRequest& request, Done done) override;
  size_t in_flight() const { return transfers_.size(); }

 private:
  static void global_init();
  struct Transfer;
  struct Socket {
    std::unique_ptr<boost::asio::posix::stream_descriptor> descriptor;
    uint64_t generation = 0;  // tells a reused fd from the socket a handler was for
    int wanted = 0;           // CURL_POLL_IN / OUT / INOUT
    bool reading = false;
    bool writing = false;
  };

  static int socket_callback(CURL* easy, curl_socket_t fd, int what, void* self, void*);
  static int timer_callback(CURLM* multi, long timeout_ms, void* self);
  void watch(curl_socket_t fd, int what);
  void arm(curl_socket_t fd);
  void on_ready(curl_socket_t fd, uint64_t generation, int direction,
                const boost::system::error_code& error);
  void on_timeout(const boost::system::error_code& error);
  void drive(curl_socket_t fd, int event_bitmask);
  void collect_finished();
  void fail_now(Done done, HttpError error);

  boost::asio::io_context& io_;
  CURLM* multi_;
  boost::asio::steady_timer timer_;
  std::map<curl_socket_t, Socket> sockets_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
  int running_ = 0;
};

// Classifies an HTTP status for retries: 408, 429 and 5xx are retryable.
bool retryable_status(long status);

// Seconds to wait from a Retry-After value (seconds or an HTTP date), or
// a negative number when absent or unreadable.
double retry_after_seconds(const std::string& value, int64_t now_unix_seconds);

}  // namespace weft::stdlib
