// The HTTP edges of a real `weft serve` (issue 10, item 10), over raw
// sockets on 127.0.0.1: no spelling of a path skips the token, framing the
// server and a proxy could read differently is refused with 400 and a
// close, Host is required once, the accept loop does not spin at the
// file-descriptor limit, and a full disk answers 503 `storage_unavailable`
// with Retry-After (injected, and for real on a tmpfs when root may mount).
// Every wait is bounded.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::raw_exchange;
using weft::testing::request;
using weft::testing::Server;
using weft::testing::ServeOptions;

namespace {

const std::string kToken = "edge-token";

ServeOptions with_token() {
  ServeOptions options;
  options.env["WEFT_API_TOKENS"] = kToken;
  return options;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

std::string get(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

// A client connection that only connects and stays idle.
class IdleClient {
 public:
  explicit IdleClient(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~IdleClient() { ::close(fd_); }
  IdleClient(const IdleClient&) = delete;
  IdleClient& operator=(const IdleClient&) = delete;

 private:
  int fd_ = -1;
};

// User plus system CPU time the process has used, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  // After "pid (comm) ": state is field 3; utime and stime are 14 and 15.
  for (int index = 3; index <= 15 && fields >> field; ++index)
    if (index == 14 || index == 15) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t open_fds(pid_t pid) {
  auto dir = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd");
  return static_cast<size_t>(std::distance(dir, std::filesystem::directory_iterator()));
}

// "Max open files  SOFT  HARD  files" of /proc/PID/limits.
std::pair<std::string, std::string> fd_limits(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream words(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    words >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

// GETs /healthz until it answers (bounded); its last status.
long await_health(const Server& server) {
  long status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    status = request("GET", server.url("/healthz")).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return status;
}

}  // namespace

TEST_CASE("issue 10: /metrics and /v1 need the token by every spelling of their path",
          "[e2e][http-edges]") {
  Server server(with_token());
  for (const char* target : {"/metrics", "/metrics/", "/metrics//", "/metrics/?a=1", "//metrics",
                             "/%6detrics", "/v1/runs/", "//v1/runs"}) {
    INFO(target);
    auto answer = raw_exchange(server.port, get(target));
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 401"));
    CHECK_THAT(answer, Catch::Contains("unauthorized"));
  }
  for (const char* target : {"/metrics/./", "/v1/../metrics", "/%2e%2e/metrics"}) {
    INFO(target);
    CHECK_THAT(raw_exchange(server.port, get(target)), Catch::StartsWith("HTTP/1.1 400"));
  }
  CHECK_THAT(raw_exchange(server.port, get("/metrics/", "Authorization: Bearer " + kToken + "\r\n")),
             Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(raw_exchange(server.port, get("/healthz/")), Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("issue 10: a Transfer-Encoding other than a single 'chunked' is 400 and a close",
          "[e2e][http-edges]") {
  Server server(with_token());
  const std::string start = "POST /v1/workflows/hello/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Authorization: Bearer " + kToken + "\r\n";
  // The body would be a second request if the first were read as empty.
  const std::string smuggled = get("/healthz");
  for (const std::string& framing :
       {std::string("Transfer-Encoding: foo\r\n"),
        std::string("Transfer-Encoding: gzip\r\nContent-Length: " + std::to_string(smuggled.size()) + "\r\n"),
        std::string("Transfer-Encoding: gzip, chunked\r\n"),
        std::string("Transfer-Encoding: chunked, gzip\r\n"),
        std::string("Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(smuggled.size()) + "\r\n"),
        std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")}) {
    INFO(framing);
    auto answer = raw_exchange(server.port, start + framing + "\r\n" + smuggled);
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 400"));
    CHECK(count_of(answer, "HTTP/1.1 ") == 1);  // the smuggled request is never answered
    CHECK_THAT(answer, Catch::Contains("Connection: close"));
  }
  auto runs = request("GET", server.url("/v1/runs"), "", kToken);
  REQUIRE(runs.status == 200);
  CHECK(runs.json_body()["runs"].empty());  // none of them started a run

  auto chunked = raw_exchange(server.port, start + "Transfer-Encoding: chunked\r\n\r\n"
                                                   "2\r\n{}\r\n0\r\n\r\n");
  CHECK_THAT(chunked, Catch::StartsWith("HTTP/1.1 201"));
}

TEST_CASE("issue 10: an HTTP/1.1 request without a Host, or with two, is 400", "[e2e][http-edges]") {
  Server server;
  auto missing = raw_exchange(server.port, "GET /healthz HTTP/1.1\r\n\r\n");
  CHECK_THAT(missing, Catch::StartsWith("HTTP/1.1 400"));
  CHECK_THAT(missing, Catch::Contains("bad_host"));
  auto twice = raw_exchange(server.port, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  CHECK_THAT(twice, Catch::StartsWith("HTTP/1.1 400"));
  CHECK_THAT(twice, Catch::Contains("bad_host"));
  CHECK_THAT(raw_exchange(server.port, "GET /healthz HTTP/1.0\r\n\r\n"), Catch::StartsWith("HTTP/1.0 200"));
  CHECK_THAT(raw_exchange(server.port, get("/healthz")), Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("issue 10: weft serve raises its soft fd limit to the hard one", "[e2e][http-edges][fd]") {
  rlimit mine{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &mine) == 0);
  if (mine.rlim_max != RLIM_INFINITY && mine.rlim_max <= 256) return;  // nothing to raise here
  rlimit lowered = mine;
  lowered.rlim_cur = 256;  // inherited by the child; the hard limit stays
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>();
  } catch (...) {
    setrlimit(RLIMIT_NOFILE, &mine);
    throw;
  }
  REQUIRE(setrlimit(RLIMIT_NOFILE, &mine) == 0);
  auto [soft, hard] = fd_limits(server->process->pid());
  CHECK(soft != "256");
  CHECK(soft == hard);
}

TEST_CASE("issue 10: at the fd limit the accept loop backs off instead of spinning",
          "[e2e][http-edges][fd]") {
  ServeOptions options;
  options.args = {"--read-timeout", "60s"};  // the idle clients stay until they leave
  Server server(options);
  pid_t pid = server.process->pid();
  REQUIRE(request("GET", server.url("/healthz")).status == 200);
  rlimit limit{};
  limit.rlim_cur = limit.rlim_max = open_fds(pid) + 16;
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0);

  {
    std::vector<std::unique_ptr<IdleClient>> clients;
    for (rlim_t i = 0; i < limit.rlim_cur + 48; ++i)
      clients.push_back(std::make_unique<IdleClient>(server.port));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // accepted up to the limit
    double before = cpu_seconds(pid);
    auto began = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    double share = (cpu_seconds(pid) - before) / wall;
    INFO("CPU share of one core while out of descriptors: " << share);
    // A spinning accept loop takes a core (measured 0.66 of one on a loaded
    // two-core machine); backing off takes next to nothing (measured 0.0).
    CHECK(share < 0.25);
  }  // the idle clients leave

  CHECK(await_health(server) == 200);
  CHECK(request("POST", server.url("/v1/workflows/hello/runs"), "{}").status == 201);
}

TEST_CASE("issue 10: a full disk (injected) answers 503 storage_unavailable with Retry-After",
          "[e2e][http-edges][storage]") {
#ifndef WEFT_FAULT_INJECTION
  return;  // a Release build has no fault points
#else
  Server server;
  // A first process made the database and a run that waits for an event;
  // the second fails every write that changes something from its first
  // one on, as on a full disk.
  auto waiting = request("POST", server.url("/v1/workflows/waiter/runs"), "{}");
  REQUIRE(waiting.status == 201);
  std::string id = waiting.json_body()["id"];
  server.await_status(id, "waiting");
  REQUIRE(server.serve->terminate().exit_code == 0);
  server.serve = std::make_unique<weft::testing::ServeProcess>(
      server.dir.path() / "workflows", server.db(), std::vector<std::string>{"--workers", "2"},
      std::map<std::string, std::string>{{"WEFT_FAULT", "storage-full:1"}});
  server.process = &server.serve->process();
  server.port = server.serve->port();
  REQUIRE(request("GET", server.url("/healthz")).status == 200);

  auto started = request("POST", server.url("/v1/workflows/hello/runs"), "{}");
  CHECK(started.status == 503);
  CHECK(started.headers["retry-after"] == "5");
  CHECK(started.json_body()["error"]["code"] == "storage_unavailable");

  auto health = request("GET", server.url("/healthz"));
  CHECK(health.status == 503);
  CHECK(health.headers["retry-after"] == "5");
  CHECK(health.json_body()["storage"] == "unavailable");
  // A write answered on the spot (not through a deferred start) too.
  auto event = request("POST", server.url("/v1/runs/" + id + "/events/go"), R"({"value":1})");
  CHECK(event.status == 503);
  CHECK(event.headers["retry-after"] == "5");
  CHECK(event.json_body()["error"]["code"] == "storage_unavailable");
  auto runs = request("GET", server.url("/v1/runs"));  // reads still work
  REQUIRE(runs.status == 200);
  REQUIRE(runs.json_body()["runs"].size() == 1);
  CHECK(runs.json_body()["runs"][0]["status"] == "waiting");
#endif
}

TEST_CASE("issue 10: a real full disk (a tmpfs, when root may mount one) answers 503, then recovers",
          "[e2e][http-edges][storage]") {
  weft::testing::TempDir dir;
  auto disk = dir.path() / "disk";
  std::filesystem::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=4m") != 0) {
    WARN("cannot mount a tmpfs here (needs root): the real full-disk case is not run");
    return;
  }
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "keep.lua") << R"(local weft = require "weft"
return weft.workflow { name = "keep", run = function(ctx, input)
  return ctx:step("keep", function() return #input.data end)
end })";
  weft::testing::ServeProcess serve(workflows, disk / "weft.db", {"--workers", "1"});
  auto url = [&](const std::string& path) { return serve.url(path); };
  const std::string body = json{{"data", std::string(256 * 1024, 'x')}}.dump();
  REQUIRE(request("POST", url("/v1/workflows/keep/runs"), body).status == 201);

  {  // fill the disk to the last block
    std::ofstream filler(disk / "filler", std::ios::binary);
    std::string block(64 * 1024, 'f');
    for (int i = 0; i < 1024 && filler.write(block.data(), static_cast<std::streamsize>(block.size())); ++i)
      filler.flush();
  }
  weft::testing::Reply full;
  for (int attempt = 0; attempt < 5 && full.status != 503; ++attempt)
    full = request("POST", url("/v1/workflows/keep/runs"), body);
  CHECK(full.status == 503);
  CHECK(full.headers["retry-after"] == "5");
  CHECK(full.json_body()["error"]["code"] == "storage_unavailable");
  auto health = request("GET", url("/healthz"));
  CHECK(health.status == 503);
  CHECK(health.json_body()["storage"] == "unavailable");

  std::filesystem::remove(disk / "filler");  // space again: the next write succeeds
  CHECK(request("POST", url("/v1/workflows/keep/runs"), body).status == 201);
  CHECK(request("GET", url("/healthz")).status == 200);
  CHECK(serve.terminate().exit_code == 0);
}
