// The Beast server (see http_server.hpp), after Beast's advanced server
// example: Listener accepts; Session reads a request, asks the Router,
// optionally polls for an awaited run on a timer, writes, and reads again.
#include "api/http_server.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace weft::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTimeout = std::chrono::seconds(5);
constexpr auto kAwaitPoll = std::chrono::milliseconds(50);
constexpr std::uint64_t kBodyLimit = 1024 * 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

std::string lower(beast::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ApiRequest to_api_request(const http::request<http::string_body>& request, const tcp::socket& socket) {
  ApiRequest out;
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (!ec) out.remote = peer.address().to_string();
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  for (const auto& field : request) {
    auto& value = out.headers[lower(field.name_string())];
    value += value.empty() ? std::string(field.value()) : ", " + std::string(field.value());
  }
  out.body = request.body();
  return out;
}

// The error a failed read answers with, or nullopt to close silently
// (the peer left, or timed out).
std::optional<HttpResponse> read_failure_response(beast::error_code ec) {
  if (ec == http::error::body_limit)
    return error_response(413, "payload_too_large", "the request body exceeds 1 MiB");
  if (ec == http::error::header_limit)
    return error_response(431, "headers_too_large", "the request headers exceed 16 KiB");
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec.category() != http::make_error_code(http::error::bad_method).category())
    return std::nullopt;
  return error_response(400, "bad_request", "malformed HTTP request: " + ec.message());
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Router& router)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), router_(router) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      auto failure = read_failure_response(ec);
      if (!failure) return close();
      keep_alive_ = false;
      return do_write(std::move(*failure));
    }
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    HttpResponse response = router_.handle(to_api_request(request, stream_.socket()));
    if (response.await && response.await->timeout.count() > 0) {
      stream_.expires_never();
      awaited_ = response.await->run_id;
      await_deadline_ = std::chrono::steady_clock::now() + response.await->timeout;
      return poll_awaited();
    }
    do_write(std::move(response));
  }

  // Asks the router every kAwaitPoll whether the awaited run has ended;
  // the io thread is never blocked.
  void poll_awaited() {
    bool timed_out = std::chrono::steady_clock::now() >= await_deadline_;
    if (auto response = router_.awaited_run(awaited_, timed_out)) return do_write(std::move(*response));
    timer_.expires_after(kAwaitPoll);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->poll_awaited();
    });
  }

  void do_write(HttpResponse reply) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(reply.status));
    response_.set(http::field::server, "weft");
    response_.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : reply.headers) response_.set(name, value);
    response_.body() = reply.body.dump() + "\n";
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return close();
    if (response_.need_eof()) return linger();
    do_read();
  }

  // Ends the connection after a last response without resetting it: stop
  // sending, then drain what the client still sends (an oversized body)
  // for a bounded time, so it reads our answer before the close.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string awaited_;
  std::chrono::steady_clock::time_point await_deadline_;
  std::array<char, 16 * 1024> scratch_{};
  Router& router_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, const tcp::endpoint& endpoint, Router& router)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), router_(router) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), router_)->run();
    do_accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  Router& router_;
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  asio::io_context ioc;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  unsigned short port = 0;

  Impl(Router& router, ServerOptions given)
      : options(std::move(given)), ioc(std::max(1, options.threads)) {
    tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
    listener = std::make_shared<Listener>(ioc, endpoint, router);
    port = listener->port();
  }
};

HttpServer::HttpServer(Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

unsigned short HttpServer::port() const { return impl_->port; }

void HttpServer::start() {
  impl_->listener->do_accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i)
    impl_->threads.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
}

void HttpServer::stop() {
  if (impl_->threads.empty()) return;
  impl_->ioc.stop();  // no more accepts; sessions end with the io_context
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

}  // namespace weft::api
