// Branch benchmark: one run on one worker whose ctx:all branches each make
// one HTTP call that a local fake server answers after a delay. Prints the
// run's wall time beside the time the calls would take one after another,
// and the most calls the server saw in flight at once. Asserts nothing.
// `--smoke` runs a short form for CI.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "engine/allocator_tuning.hpp"
#include "stdlib/native_modules.hpp"
#include "tests/fakes/fake_server.hpp"
#include "tests/support/engine_fixture.hpp"

namespace {

using weft::testing::EngineFixture;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;

const char* kFanOut = R"lua(
local weft = require "weft"
local http = require "weft.http"
return weft.workflow {
  name = "fan_out",
  run = function(ctx, input)
    local branches = {}
    for i = 1, input.branches do
      branches[i] = function()
        return ctx:step("call", function() return http.get(input.url).status end)
      end
    end
    return #ctx:all(branches)
  end,
}
)lua";

void fan_out(int branches, int delay_ms) {
  FakeServer server;
  server.on("GET", "/slow", [delay_ms](const auto&) {
    return FakeResponse::json(200, {{"ok", true}}).after(std::chrono::milliseconds(delay_ms));
  });
  EngineFixture f;
  f.write_workflow("fan_out", kFanOut);
  auto begin = std::chrono::steady_clock::now();
  auto run = f.start("fan_out", {{"branches", branches}, {"url", server.url("/slow")}});
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  auto done = f.run(run.id);
  std::printf("branches: %d branches x one %d ms HTTP call on one worker: %.0f ms (one after another:"
              " %d ms), %zu calls in flight at most, run %s\n",
              branches, delay_ms, ms, branches * delay_ms, server.max_in_flight(),
              std::string(weft::engine::to_string(done.status)).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();
  weft::stdlib::register_native_modules();
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  fan_out(smoke ? 10 : 100, smoke ? 20 : 200);
  if (!smoke) fan_out(1'000, 200);
  return 0;
}
