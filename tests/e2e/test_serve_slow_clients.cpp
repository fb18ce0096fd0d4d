// Slow clients (slowloris) against a real `weft serve --read-timeout 1s`:
// connections that send part of a request's headers, headers and part of
// a body, nothing at all, a byte at a time, or stay idle after a request
// neither hold the server up (/healthz still answers) nor stay open: the
// server closes each one, without an answer, once the read timeout is
// over. Raw POSIX sockets on 127.0.0.1; every wait is bounded.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/serve_client.hpp"

using weft::testing::request;
using weft::testing::Server;

namespace {

class Connection {
 public:
  explicit Connection(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    timeval slice{0, 100'000};  // recv waits at most 100 ms at a time
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice);
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // False once the peer has closed (or reset) the connection.
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }

  // Whether the server has closed the connection yet, without waiting.
  bool open_now() {
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
    return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

  // Reads until the server closes the connection (end of stream or reset)
  // or `bound` passes; whether it closed, and what it sent before.
  bool await_close(std::chrono::seconds bound, std::string& received) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    char chunk[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        received.append(chunk, static_cast<size_t>(n));
      } else if (n == 0) {
        return true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return true;  // ECONNRESET: closed with our bytes unread
      }
    }
    return false;
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST_CASE("weft serve --read-timeout cuts stalled and trickling clients and keeps answering",
          "[e2e][serve][slow-clients]") {
  weft::testing::ServeOptions options;
  options.args = {"--read-timeout", "1s"};
  Server server(options);
  const auto bound = std::chrono::seconds(15);  // far above 1 s, far below the 30 s default

  auto opened = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<Connection>> partial_headers;
  for (int i = 0; i < 6; ++i) {
    partial_headers.push_back(std::make_unique<Connection>(server.port));
    REQUIRE(partial_headers.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  }
  Connection partial_body(server.port);
  REQUIRE(partial_body.send("POST /v1/workflows/hello/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na"));
  Connection silent(server.port);  // connects and sends nothing
  Connection idle(server.port);    // one whole request, then an idle keep-alive connection
  REQUIRE(idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));

  // A byte every 100 ms: always active, never done. The deadline is the
  // whole request's, so it is cut all the same.
  Connection trickle(server.port);
  REQUIRE(trickle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  std::atomic<bool> stop_trickling{false};
  std::atomic<int> trickled{0};
  std::thread trickler([&] {
    for (int i = 0; i < 200 && !stop_trickling; ++i) {
      if (!trickle.send("a")) return;
      trickled++;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // While they all hang, the server answers others.
  for (int i = 0; i < 3; ++i) {
    auto health = request("GET", server.url("/healthz"));
    CHECK(health.status == 200);
  }
  auto started = request("POST", server.url("/v1/workflows/hello/runs?wait=10s"), R"({"name":"Ada"})");
  CHECK(started.status == 200);
  if (std::chrono::steady_clock::now() - opened < std::chrono::milliseconds(800)) {
    // Answered while the stalled connections were still open (when this
    // machine was too slow for that to be known, there is nothing to check).
    for (auto& connection : partial_headers) CHECK(connection->open_now());
    CHECK(partial_body.open_now());
    CHECK(silent.open_now());
  } else {
    WARN("the requests took longer than the read timeout: not checking the connections were still open");
  }

  for (auto& connection : partial_headers) {
    std::string received;
    CHECK(connection->await_close(bound, received));
    CHECK(received.empty());  // closed without an answer
  }
  std::string received;
  CHECK(partial_body.await_close(bound, received));
  CHECK(received.empty());
  received.clear();
  CHECK(silent.await_close(bound, received));
  CHECK(received.empty());
  received.clear();
  CHECK(idle.await_close(bound, received));
  CHECK_THAT(received, Catch::StartsWith("HTTP/1.1 200"));  // the request was answered, then the idle connection closed
  received.clear();
  CHECK(trickle.await_close(bound, received));
  CHECK(received.empty());
  stop_trickling = true;
  trickler.join();
  CHECK(trickled >= 1);

  // Nothing was started by the partial POST, and the server is still well.
  auto runs = request("GET", server.url("/v1/runs?workflow=hello")).json_body()["runs"];
  CHECK(runs.size() == 1);
  CHECK(request("GET", server.url("/healthz")).status == 200);
  auto ended = server.serve->terminate();
  CHECK(ended.exit_code == 0);
}

TEST_CASE("weft serve refuses a read timeout that is not a duration", "[e2e][serve][slow-clients]") {
  auto refused = weft::testing::run_command({WEFT_BINARY, "serve", "--listen", "127.0.0.1:0", "--read-timeout",
                                             "soon"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("read_timeout must be a duration"));
}
