// The HTTP/1.1 front of the Router on Boost.Beast: a listener and one
// session per connection (keep-alive, read timeout, body and header
// limits), running on its own io_context threads.
#pragma once
#include <memory>
#include <string>

#include "api/router.hpp"

namespace weft::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see HttpServer::port)
  int threads = 2;
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
  void stop();   // stops accepting, drops connections, joins the threads

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::api
