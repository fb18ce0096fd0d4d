// Server benchmarks against a real `weft serve` on 127.0.0.1 (its own
// process, a real SQLite file with synchronous=FULL), driven by the load
// generator in http_load.*:
//   starts — POST /v1/workflows/three_steps/runs from 64 connections:
//            durable run starts answered per second;
//   wait   — POST ...?wait=30s of a 3-step workflow, one at a time and
//            from 16 connections: latency p50/p99 from request to result;
//   webhooks — GitHub-signed deliveries to a weft.webhook route from 64, then
//            256 connections, each verified, mapped by `event`, deduplicated
//            by its X-GitHub-Delivery and answered 202 once its run is durable.
// After each load: the writer's batches (from GET /metrics) and the server
// process's CPU time per request (from /proc), a figure that moves less
// than throughput on a shared machine. Prints figures; asserts nothing. `--smoke` runs a short form for CI;
// `--full MODE` runs one mode at full size.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/http_load.hpp"
#include "engine/allocator_tuning.hpp"
#include "stdlib/crypto_primitives.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/serve_process.hpp"

namespace {

using weft::bench::LoadRequest;
using weft::bench::LoadResult;
using weft::bench::run_load;

const char* kThreeSteps = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "three_steps",
  run = function(ctx, input)
    ctx:step("a", function() return 1 end)
    ctx:step("b", function() return 2 end)
    return ctx:step("c", function() return input.n end)
  end,
}
)lua";

const char* kGithubHook = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "github_hook",
  on = { weft.webhook {
    path = "/hooks/github",
    verify = weft.verify.github "bench.github",
    dedup = "header:X-GitHub-Delivery",
    event = function(req) return { action = req.json.action, n = req.json.n } end,
  } },
  run = function(ctx, event)
    return ctx:step("handle", function() return event.n end)
  end,
}
)lua";

constexpr const char* kGithubSecret = "bench-webhook-secret";

LoadRequest github_delivery(int i) {  // i: the delivery's number, unique per benchmark run
  std::string body = "{\"action\":\"opened\",\"n\":" + std::to_string(i) + "}";
  std::string signature = "sha256=" + weft::stdlib::crypto::hex_encode(
                                          weft::stdlib::crypto::hmac("sha256", kGithubSecret, body));
  return {"POST", "/hooks/github", body,
          {{"X-Hub-Signature-256", signature},
           {"X-GitHub-Event", "pull_request"},
           {"X-GitHub-Delivery", "delivery-" + std::to_string(i)}}};
}

void report(const char* what, const LoadResult& result) {
  std::printf("%-34s %7zu requests in %6.2f s: %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  statuses:",
              what, result.latencies_ms.size(), result.seconds, result.per_second(),
              result.percentile(50), result.percentile(99));
  for (const auto& [status, count] : result.statuses) std::printf(" %d=%d", status, count);
  std::printf("\n");
  std::fflush(stdout);
}

// What the server has spent so far: the writer's totals (GET /metrics) and
// the process's CPU time (/proc/PID/stat: utime + stime).
struct ServerTotals {
  double batches = 0;
  double writes = 0;
  double commit_seconds = 0;
  double cpu_seconds = 0;
};

double process_cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15 of stat(5)
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// This process's CPU time: the load generator's share of the machine.
double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

ServerTotals server_totals(weft::testing::ServeProcess& server) {
  ServerTotals totals;
  totals.cpu_seconds = process_cpu_seconds(server.process().pid());
  auto metrics = weft::testing::request("GET", server.url("/metrics"));
  std::istringstream lines(metrics.body);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name;
    double value = 0;
    if (!(fields >> name >> value)) continue;  // comments
    if (name == "weft_storage_commit_batch_size_count") totals.batches = value;
    if (name == "weft_storage_commit_batch_size_sum") totals.writes = value;
    if (name == "weft_storage_commit_seconds_sum") totals.commit_seconds = value;
  }
  return totals;
}

// Runs one load and prints its figures, then the server's side of them.
void measure(weft::testing::ServeProcess& server, const std::string& what, int connections,
             int total, const std::function<LoadRequest(int)>& make) {
  std::vector<std::string> requests;
  requests.reserve(static_cast<size_t>(total));
  for (int i = 0; i < total; ++i) requests.push_back(weft::bench::serialize(make(i)));
  ServerTotals before = server_totals(server);
  double client_before = own_cpu_seconds();
  LoadResult result = run_load(server.port(), connections, requests);
  std::string label = what + " (" + std::to_string(connections) + " connection" +
                      (connections == 1 ? ")" : "s)");
  double client_seconds = own_cpu_seconds() - client_before;
  report(label.c_str(), result);
  ServerTotals after = server_totals(server);
  double batches = after.batches - before.batches;
  std::printf("%-34s server CPU %5.0f us per request (load generator %3.0f us);"
              " %6.0f commits of %5.1f writes, %5.2f ms each\n",
              "", (after.cpu_seconds - before.cpu_seconds) * 1e6 / total, client_seconds * 1e6 / total,
              batches,
              batches > 0 ? (after.writes - before.writes) / batches : 0.0,
              batches > 0 ? (after.commit_seconds - before.commit_seconds) * 1000 / batches : 0.0);
  std::fflush(stdout);
}

LoadRequest start_request(int i, const std::string& query) {
  return {"POST", "/v1/workflows/three_steps/runs" + query, "{\"n\":" + std::to_string(i) + "}", {}};
}

// The machine's speed right now: milliseconds of a fixed single-threaded
// CPU loop (SHA-256 over 64 MiB). A shared VM's speed drifts; figures
// taken at different times compare only next to this one.
double calibration_ms() {
  std::string block(1 << 20, 'x');
  auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < 64; ++i) block.replace(0, 32, weft::stdlib::crypto::sha256(block));
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();  // as weft itself does
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  std::string only = argc > 2 ? argv[2] : "";
  std::printf("%-34s %.0f ms (SHA-256 of 64 MiB on one core; lower is faster)\n", "machine speed",
              calibration_ms());
  weft::testing::TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "three_steps.lua") << kThreeSteps;
  std::ofstream(workflows / "github_hook.lua") << kGithubHook;
  auto db = dir.path() / "weft.db";
  weft::testing::run_command({WEFT_BINARY, "secrets", "set", "bench.github", "--value", kGithubSecret,
                              "--db", db.string()});
  weft::testing::ServeProcess server(workflows, db);

  if (only.empty() || only == "starts") {
    int total = smoke ? 500 : 50'000;
    measure(server, "starts", 64, total, [](int i) { return start_request(i, ""); });
  }
  if (only.empty() || only == "wait") {
    int total = smoke ? 50 : 2'000;
    measure(server, "start ?wait, 3 steps", 1, total, [](int i) { return start_request(i, "?wait=30s"); });
    measure(server, "start ?wait, 3 steps", 16, total * 4,
            [](int i) { return start_request(i, "?wait=30s"); });
  }
  if (only.empty() || only == "webhooks") {
    int total = smoke ? 500 : 50'000;
    measure(server, "github webhooks", 64, total, github_delivery);
    // Numbered after the first load's deliveries: each is a new delivery.
    measure(server, "github webhooks", 256, total, [total](int i) { return github_delivery(total + i); });
  }
  auto ended = server.terminate();
  return ended.exit_code == 0 ? 0 : 1;
}
