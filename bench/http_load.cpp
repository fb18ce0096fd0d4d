// The load generator (see http_load.hpp), on Beast's async client API.
#include "bench/http_load.hpp"

#include <algorithm>
#include <memory>
#include <sstream>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace weft::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Shared {
  const std::vector<std::string>& requests;
  size_t issued = 0;
  LoadResult result;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& ioc, Shared& shared) : stream_(ioc), shared_(shared) {}

  void start(unsigned short port) {
    stream_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) return self->failed();
                            self->next();
                          });
  }

 private:
  void next() {
    if (shared_.issued >= shared_.requests.size()) return;
    const std::string& request = shared_.requests[shared_.issued++];
    started_ = Clock::now();
    asio::async_write(stream_, asio::buffer(request),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->failed();
                        self->response_ = {};
                        http::async_read(self->stream_, self->buffer_, self->response_,
                                         [self](beast::error_code ec, size_t) {
                                           if (ec) return self->failed();
                                           self->answered(self->response_.result_int());
                                         });
                      });
  }

  void answered(int status) {
    shared_.result.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - started_).count());
    shared_.result.statuses[status]++;
    if (response_.keep_alive()) next();
  }

  void failed() { shared_.result.statuses[0]++; }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  Clock::time_point started_;
};

}  // namespace

double LoadResult::percentile(double p) const {
  if (latencies_ms.empty()) return 0;
  std::vector<double> sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  size_t index = static_cast<size_t>(p / 100.0 * (sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

std::string serialize(const LoadRequest& spec) {
  http::request<http::string_body> request;
  request.method_string(spec.method);
  request.target(spec.target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : spec.headers) request.set(name, value);
  request.body() = spec.body;
  request.keep_alive(true);
  request.prepare_payload();
  std::ostringstream bytes;
  bytes << request;
  return bytes.str();
}

LoadResult run_load(unsigned short port, int connections, const std::vector<std::string>& requests) {
  asio::io_context ioc;
  Shared shared{requests, 0, {}};
  for (int i = 0; i < connections; ++i) std::make_shared<Connection>(ioc, shared)->start(port);
  auto start = Clock::now();
  ioc.run();
  shared.result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return shared.result;
}

}  // namespace weft::bench
