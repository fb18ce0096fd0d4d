// Server benchmarks against a real `weft serve` on 127.0.0.1 (its own
// process, a real SQLite file with synchronous=FULL), driven by the load
// generator in http_load.*:
//   starts — POST /v1/workflows/three_steps/runs from 64 connections:
//            durable run starts answered per second;
//   wait   — POST ...?wait=30s of a 3-step workflow, one at a time and
//            from 16 connections: latency p50/p99 from request to result.
// Prints figures; asserts nothing. `--smoke` runs a short form for CI;
// `--full MODE` runs one mode at full size.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "bench/http_load.hpp"
#include "tests/support/engine_fixture.hpp"
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

void report(const char* what, const LoadResult& result) {
  std::printf("%-34s %7zu requests in %6.2f s: %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  statuses:",
              what, result.latencies_ms.size(), result.seconds, result.per_second(),
              result.percentile(50), result.percentile(99));
  for (const auto& [status, count] : result.statuses) std::printf(" %d=%d", status, count);
  std::printf("\n");
  std::fflush(stdout);
}

LoadRequest start_request(int i, const std::string& query) {
  return {"POST", "/v1/workflows/three_steps/runs" + query, "{\"n\":" + std::to_string(i) + "}", {}};
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  std::string only = argc > 2 ? argv[2] : "";
  weft::testing::TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "three_steps.lua") << kThreeSteps;
  weft::testing::ServeProcess server(workflows, dir.path() / "weft.db");

  if (only.empty() || only == "starts") {
    int total = smoke ? 500 : 50'000;
    report("starts (64 connections)", run_load(server.port(), 64, total, [](int i) {
             return start_request(i, "");
           }));
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
  auto ended = server.terminate();
  return ended.exit_code == 0 ? 0 : 1;
}
