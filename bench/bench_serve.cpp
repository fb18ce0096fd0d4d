// Server benchmarks against a real `weft serve` on 127.0.0.1 (its own
// process, a real SQLite file with synchronous=FULL), driven by the load
// generator in http_load.*:
//   starts — POST /v1/workflows/three_steps/runs from 64 connections:
//            durable run starts answered per second;
//   wait   — POST ...?wait=30s of a 3-step workflow, one at a time and
//            from 16 connections: latency p50/p99 from request to result;
//   webhooks — GitHub-signed deliveries to a weft.webhook route from 64
//            connections, each verified, mapped by `event`, deduplicated by
//            its X-GitHub-Delivery and answered 202 once its run is durable.
// Prints figures; asserts nothing. `--smoke` runs a short form for CI;
// `--full MODE` runs one mode at full size.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

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

LoadRequest github_delivery(int i) {
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

// The group committer's totals, read from GET /metrics.
struct CommitTotals {
  double batches = 0;
  double writes = 0;
  double seconds = 0;
};

CommitTotals commit_totals(const weft::testing::ServeProcess& server) {
  auto metrics = weft::testing::request("GET", server.url("/metrics"));
  CommitTotals totals;
  std::istringstream lines(metrics.body);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name;
    double value = 0;
    if (!(fields >> name >> value)) continue;  // comments
    if (name == "weft_storage_commit_batch_size_count") totals.batches = value;
    if (name == "weft_storage_commit_batch_size_sum") totals.writes = value;
    if (name == "weft_storage_commit_seconds_sum") totals.seconds = value;
  }
  return totals;
}

// How the writer's batches looked during one benchmark (totals since `before`).
void report_commits(const weft::testing::ServeProcess& server, const CommitTotals& before) {
  CommitTotals after = commit_totals(server);
  double batches = after.batches - before.batches;
  if (batches <= 0) return;
  std::printf("%-34s %7.0f batches: %6.1f writes each, %5.2f ms per commit, writer busy %.2f s\n",
              "  storage commits", batches, (after.writes - before.writes) / batches,
              (after.seconds - before.seconds) * 1000 / batches, after.seconds - before.seconds);
  std::fflush(stdout);
}

LoadRequest start_request(int i, const std::string& query) {
  return {"POST", "/v1/workflows/three_steps/runs" + query, "{\"n\":" + std::to_string(i) + "}", {}};
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();  // as weft itself does
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  std::string only = argc > 2 ? argv[2] : "";
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
    auto before = commit_totals(server);
    report("starts (64 connections)", run_load(server.port(), 64, total, [](int i) {
             return start_request(i, "");
           }));
    report_commits(server, before);
  }
  if (only.empty() || only == "wait") {
    int total = smoke ? 50 : 2'000;
    report("start ?wait, 3 steps (1 connection)", run_load(server.port(), 1, total, [](int i) {
             return start_request(i, "?wait=30s");
           }));
    report("start ?wait, 3 steps (16 connections)", run_load(server.port(), 16, total * 4, [](int i) {
             return start_request(i, "?wait=30s");
           }));
  }
  if (only.empty() || only == "webhooks") {
    int total = smoke ? 500 : 50'000;
    auto before = commit_totals(server);
    report("github webhooks (64 connections)", run_load(server.port(), 64, total, github_delivery));
    report_commits(server, before);
  }
  auto ended = server.terminate();
  return ended.exit_code == 0 ? 0 : 1;
}
