// weft test's speed (api/test_runner.hpp): how long one test takes of a
// workflow that sleeps ten minutes and then posts to an HTTP endpoint
// that fails three times (retried with backoff) before it answers. The
// target is under 50 ms a test; the virtual clock makes the 10 min 7 s of
// the run's timers cost nothing. An empty test shows the fixed cost of a
// test (a fresh database, the folder's workflows loaded, an engine).
// Prints the median, 90th percentile and fastest of each; exits 1 if a
// test failed. `--smoke` runs a short form for CI.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "api/test_runner.hpp"
#include "engine/log.hpp"
#include "engine/temp_dir.hpp"
#include "stdlib/native_modules.hpp"

namespace {

const char* kWorkflow = R"lua(
local weft = require "weft"
local http = require "weft.http"
return weft.workflow {
  name = "notify",
  retry = { attempts = 5, initial = "1s", backoff = 2.0 },
  run = function(ctx, input)
    ctx:sleep("10m")
    return ctx:step("post", function()
      return http.post("https://hooks.example.com/notify", { json = { text = input.text }, raise = true }):json()
    end)
  end,
}
)lua";

const char* kTestCase = R"lua(
test.case("sleep and three retried failures %d", function(t)
  local failing = t:mock_http { method = "POST", url = "https://hooks.example.com/*", status = 503, times = 3 }
  t:mock_http { method = "POST", url = "https://hooks.example.com/*", json = { ok = true } }
  local run = t:start("notify", { text = "hi" })
  test.eq(run:wait(), "completed")
  test.eq(failing:count(), 3)
end)
test.case("empty %d", function(t) end)
)lua";

struct Figures {
  std::vector<double> ms;
  void print(const char* what) {
    std::sort(ms.begin(), ms.end());
    std::printf("%-40s median %6.2f ms   p90 %6.2f ms   fastest %6.2f ms   (%zu tests)\n", what,
                ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.front(), ms.size());
  }
};

}  // namespace

int main(int argc, char** argv) {
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  int tests = smoke ? 3 : 100;
  weft::log::configure(weft::log::Level::Error, weft::log::Format::Text);
  weft::stdlib::register_native_modules();
  weft::engine::TempDir dir("weft-bench-test-");
  std::ofstream(dir.path() / "notify.lua") << kWorkflow;
  std::ofstream file(dir.path() / "notify_test.lua");
  file << "local test = require \"weft.test\"\n";
  for (int i = 0; i < tests; ++i) {
    char text[2048];
    std::snprintf(text, sizeof text, kTestCase, i, i);
    file << text;
  }
  file.close();

  Figures retried, empty;
  int failed = 0;
  weft::api::run_test_file((dir.path() / "notify_test.lua").string(), "", [&](const weft::api::TestResult& result) {
    if (!result.passed) {
      ++failed;
      std::fprintf(stderr, "FAIL %s: %s\n", result.name.c_str(), result.failure.c_str());
    }
    (result.name.rfind("empty", 0) == 0 ? empty : retried).ms.push_back(result.seconds * 1000);
  });
  retried.print("10 min sleep + 3 retried HTTP failures:");
  empty.print("empty test (the fixed cost):");
  return failed == 0 ? 0 : 1;
}
