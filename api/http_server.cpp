// The Beast server (see http_server.hpp), after Beast's advanced server
// example: Listener accepts; Session reads a request, asks the Router,
// optionally polls for an awaited run on a timer, writes, and reads again.
#include "api/http_server.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/request_framing.hpp"
#include "engine/json_limits.hpp"
#include "engine/log.hpp"
#include "engine/storage_error.hpp"

namespace weft::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTimeout = std::chrono::seconds(5);
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
constexpr auto kAwaitPoll = std::chrono::milliseconds(50);
// With run waiters a run's end here answers at once; the slow poll only
// catches runs that end in another process on the same database.
constexpr auto kAwaitFallbackPoll = std::chrono::milliseconds(1000);
constexpr std::uint64_t kBodyLimit = 1024 * 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

// The peer's address, asked once per connection.
std::string remote_address(const tcp::socket& socket) {
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  return ec ? std::string() : peer.address().to_string();
}

ApiRequest to_api_request(const http::request<http::string_body>& request, const std::string& remote) {
  ApiRequest out;
  out.remote = remote;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  for (const auto& field : request) {
    auto& value = out.headers[ascii_lower({field.name_string().data(), field.name_string().size()})];
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

// What every session shares with the server: whether a graceful stop has
// begun, and how many requests are in hand (read, not yet answered).
struct Shared {
  std::chrono::milliseconds read_timeout;
  std::atomic<bool> draining{false};
  std::atomic<int> in_hand{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Router& router, Shared& shared)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        remote_(remote_address(stream_.socket())),
        router_(router),
        shared_(shared) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(shared_.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // The header is in: its framing is checked before a byte of the body is
  // read; a request this server and a proxy could delimit differently is
  // answered 400 and its connection closed (what follows is never parsed).
  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    const auto& header = parser_->get();
    HeaderFields fields;
    for (const auto& field : header)
      fields.emplace_back(std::string_view(field.name_string().data(), field.name_string().size()),
                          std::string_view(field.value().data(), field.value().size()));
    if (auto refused = framing_error(fields, header.version())) {
      keep_alive_ = false;
      version_ = header.version();
      return do_write(std::move(*refused));
    }
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
    shared_.in_hand++;
    answering_ = true;
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    if (log::enabled(log::Level::Debug)) {  // for the access record written with the answer
      // The path only: a query may carry a token.
      beast::string_view target = request.target();
      request_line_ = std::string(request.method_string()) + " " +
                      std::string(target.substr(0, target.find('?')));
      received_ = std::chrono::steady_clock::now();
    }
    HttpResponse response = router_.handle(to_api_request(request, remote_));
    if (response.deferred) return defer(std::move(response.deferred));
    answer(std::move(response));
  }

  // Hands the handler a Reply that brings its answer back onto this
  // session's io thread, whichever thread calls it.
  void defer(std::function<void(Reply)> deferred) {
    Reply reply = [self = shared_from_this()](HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->answer(std::move(response)); });
    };
    try {
      deferred(std::move(reply));
    } catch (const engine::StorageUnavailable&) {
      answer(storage_unavailable_response());
    } catch (const std::exception&) {
      answer(error_response(500, "internal", "internal error"));
    }
  }

  void answer(HttpResponse response) {
    if (response.await && response.await->timeout.count() > 0) {
      stream_.expires_never();
      awaited_ = response.await->run_id;
      awaited_headers_ = std::move(response.headers);
      await_deadline_ = std::chrono::steady_clock::now() + response.await->timeout;
      if (RunWaiters* waiters = router_.waiters()) {
        await_ticket_ = waiters->wait(awaited_, [self = shared_from_this()](const engine::Run&) {
          asio::post(self->stream_.get_executor(), [self] { self->poll_awaited(); });
        });
      }
      return poll_awaited();
    }
    do_write(std::move(response));
  }

  // Asks the router whether the awaited run has ended: when its waiter
  // fires, and on a timer up to the deadline. The io thread never blocks.
  void poll_awaited() {
    if (awaited_.empty()) return;  // answered already (waiter and timer both fired)
    auto now = std::chrono::steady_clock::now();
    bool timed_out = now >= await_deadline_ || shared_.draining;
    if (auto response = router_.awaited_run(awaited_, timed_out)) {
      response->headers.insert(awaited_headers_.begin(), awaited_headers_.end());
      if (await_ticket_) router_.waiters()->forget(awaited_, await_ticket_);
      await_ticket_ = 0;
      awaited_.clear();
      timer_.cancel();
      return do_write(std::move(*response));
    }
    auto next = now + (router_.waiters() ? kAwaitFallbackPoll : kAwaitPoll);
    timer_.expires_at(std::min<std::chrono::steady_clock::time_point>(next, await_deadline_));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->poll_awaited();
    });
  }

  void do_write(HttpResponse reply) {
    if (!request_line_.empty()) {
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - received_).count();
      log::debug("http request", {{"request", request_line_}, {"status", reply.status},
                                  {"duration_us", micros}});
      request_line_.clear();
    }
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(reply.status));
    response_.set(http::field::server, "weft");
    response_.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : reply.headers) response_.set(name, value);
    response_.body() = reply.raw_body ? std::move(*reply.raw_body) : engine::dump_json(reply.body) + "\n";
    response_.keep_alive(keep_alive_ && !shared_.draining);
    response_.prepare_payload();
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (answering_) {
      answering_ = false;
      shared_.in_hand--;
    }
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
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::string request_line_;  // "METHOD target" while debug logging is on
  std::chrono::steady_clock::time_point received_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string awaited_;
  uint64_t await_ticket_ = 0;
  std::map<std::string, std::string> awaited_headers_;  // kept on the final answer
  std::chrono::steady_clock::time_point await_deadline_;
  std::array<char, 16 * 1024> scratch_{};
  Router& router_;
  Shared& shared_;
  bool answering_ = false;  // counted in shared_.in_hand
};

// One io_context per io thread: a connection lives on one context, so its
// handlers never run concurrently and need no strand, and the threads do
// not contend for one shared handler queue (under load that queue's lock
// and wake-ups were a large part of the io threads' system time).
class ContextPool {
 public:
  explicit ContextPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      // Keeps a context running while it has no connection yet.
      guards_.push_back(asio::make_work_guard(*contexts_.back()));
    }
  }

  asio::io_context& first() { return *contexts_.front(); }
  // Round robin: each new connection goes to the next context.
  asio::io_context& next() { return *contexts_[next_++ % contexts_.size()]; }

  void run() {
    for (auto& context : contexts_) {
      threads_.emplace_back([&context] { context->run(); });
      // Named from here, not from inside the thread: once run() returns,
      // every io thread already carries its name (tools and tests count them).
      pthread_setname_np(threads_.back().native_handle(), "weft-http");
    }
  }

  void stop() {
    for (auto& context : contexts_) context->stop();  // sessions end with their context
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  bool running() const { return !threads_.empty(); }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  size_t next_ = 0;  // only the acceptor's thread picks
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(ContextPool& contexts, const tcp::endpoint& endpoint, Router& router, Shared& shared)
      : contexts_(contexts), acceptor_(contexts.first()), router_(router), shared_(shared) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
    });
  }

  void do_accept() {
    if (!acceptor_.is_open()) return;
    acceptor_.async_accept(contexts_.next(),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) return back_off(ec);
    failing_ = false;
    std::make_shared<Session>(std::move(socket), router_, shared_)->run();
    do_accept();
  }

  // Accepting failed: out of file descriptors (EMFILE, ENFILE) or kernel
  // memory. The connection stays in the backlog, so accepting again at
  // once fails at once and spins a core; wait a little instead. Logged
  // once per episode, not per attempt.
  void back_off(beast::error_code ec) {
    if (!failing_)
      log::warn("accepting a connection failed",
                {{"error", ec.message()}, {"retry_ms", kAcceptBackoff.count()}});
    failing_ = true;
    retry_.expires_after(kAcceptBackoff);
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
  }

  ContextPool& contexts_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_{acceptor_.get_executor()};
  bool failing_ = false;  // in a back-off episode (logged already)
  Router& router_;
  Shared& shared_;
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  ContextPool contexts;
  Shared shared;
  std::shared_ptr<Listener> listener;
  unsigned short port = 0;

  Impl(Router& router, ServerOptions given)
      : options(std::move(given)), contexts(options.threads) {
    shared.read_timeout = options.read_timeout;
    tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
    listener = std::make_shared<Listener>(contexts, endpoint, router, shared);
    port = listener->port();
  }
};

HttpServer::HttpServer(Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

unsigned short HttpServer::port() const { return impl_->port; }

void HttpServer::start() {
  impl_->listener->do_accept();
  impl_->contexts.run();
}

bool HttpServer::stop_accepting(std::chrono::milliseconds grace) {
  impl_->shared.draining = true;
  impl_->listener->close();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->shared.in_hand > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int HttpServer::requests_in_hand() const { return impl_->shared.in_hand; }

void HttpServer::stop() {
  if (impl_->contexts.running()) impl_->contexts.stop();
}

}  // namespace weft::api
