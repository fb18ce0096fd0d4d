// libcurl's multi interface driven by an Asio event loop (a worker's):
// curl says which sockets to watch and when its timer fires, the loop
// reports readiness back, and each finished transfer's completion runs on
// the loop's thread. Shared by the HTTP client and the SMTP client, so one
// worker thread serves hundreds of transfers at once.
#pragma once
#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace weft::stdlib {

class CurlMulti {
 public:
  explicit CurlMulti(boost::asio::io_context& io);
  // Transfers still in flight are dropped, their completions never called.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Called once the transfer has left the multi handle; the easy handle
  // may then be cleaned up (the completion usually owns it).
  using Finished = std::function<void(CURLcode)>;
  // Runs the configured `easy` handle; `finished` runs later on the loop's
  // thread, never inside this call (also when the handle cannot be added).
  void add(CURL* easy, Finished finished);

  boost::asio::io_context& io() { return io_; }

 private:
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

  boost::asio::io_context& io_;
  CURLM* multi_;
  boost::asio::steady_timer timer_;
  std::map<curl_socket_t, Socket> sockets_;
  std::map<CURL*, Finished> transfers_;
  int running_ = 0;
};

// A failed transfer, classified for retries the way weft.http documents:
// timeout and connect retryable, tls and protocol not.
struct CurlFailure {
  std::string kind;  // timeout, connect, tls, protocol
  std::string message;
  bool retryable = false;
};
CurlFailure classify_curl(CURLcode code, const char* detail);

}  // namespace weft::stdlib
