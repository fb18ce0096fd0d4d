// The HTTP/1.1 front of the Router on Boost.Beast: a listener and one
// session per connection (keep-alive, read timeout, body and header
// limits), running on its own io_context threads.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "api/router.hpp"

namespace weft::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see HttpServer::port)
  int threads = 1;  // io threads, each with its own io_context (named weft-http)
  // How long a request may take to arrive (headers and body) and an idle
  // keep-alive connection may stay open: slow or stalled clients are cut.
  std::chrono::milliseconds read_timeout{30'000};
};

class HttpServer {
 public:
  // Binds and listens at once (throws when the address is unusable).
  HttpServer(Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const;
  void start();  // accepts on the io threads
  // The first half of a graceful stop: no new connections; requests being
  // handled finish and are answered with `Connection: close`, waits for a
  // run's end answer at once with the run as it is. True when no request
  // is in hand any more before `grace` ends.
  bool stop_accepting(std::chrono::milliseconds grace);
  int requests_in_hand() const;  // read and not yet answered
  void stop();   // drops the remaining (idle) connections, joins the threads

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::api
