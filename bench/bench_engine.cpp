// Engine benchmarks on a real SQLite file with synchronous=FULL:
//   throughput — many 3-step runs with a window of runs in flight;
//   latency    — one 3-step run at a time, start to durable result;
//   replay     — resuming a run whose history holds many steps;
//   queue      — the same 3-step runs through a concurrency-64 weft.queue
//                (256 submitted) against 64 in flight without a queue:
//                the cost of admission.
// Prints figures; asserts nothing. `--smoke` runs a short form for CI.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/allocator_tuning.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/store_open.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "stdlib/native_modules.hpp"
#include "stdlib/run_services.hpp"

namespace {

using namespace weft::engine;
using Clock = std::chrono::steady_clock;

// The benchmarks' 3-step workflow, declared with `on` (a Lua list's items).
std::string three_steps(const std::string& name, const std::string& on = "") {
  return "local weft = require 'weft'\nreturn weft.workflow {\n  name = '" + name + "',\n  on = { " + on +
         " },\n  run = function(ctx, input)\n    ctx:step('a', function() return 1 end)\n"
         "    ctx:step('b', function() return 2 end)\n    return ctx:step('c', function() return 3 end)\n"
         "  end,\n}\n";
}

const char* kLongHistory = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "long_history",
  run = function(ctx, input)
    for i = 1, input.steps do ctx:step("s", function() return i end) end
    ctx:wait_event("go")
    return "done"
  end,
}
)lua";

struct Bench {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<weft::dsl::LuaWorkflowCatalog> catalog;
  SystemClock clock;

  Bench() {
    dir = std::filesystem::temp_directory_path() /
          ("weft-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "workflows");
    std::ofstream(dir / "workflows" / "three_steps.lua") << three_steps("three_steps");
    std::ofstream(dir / "workflows" / "long_history.lua") << kLongHistory;
    std::ofstream(dir / "workflows" / "queued_steps.lua")
        << three_steps("queued_steps", "weft.queue { name = 'bench', concurrency = 64 }");
    store = open_store((dir / "bench.db").string());
    catalog = std::make_unique<weft::dsl::LuaWorkflowCatalog>(store->scripts(), (dir / "workflows").string());
    catalog->add_folder();
  }
  ~Bench() {
    catalog.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

// Counts finished runs and wakes the waiter once `target` is reached
// (waking it for every run would measure the benchmark, not the engine).
struct Finished {
  std::mutex mutex;
  std::condition_variable cv;
  long count = 0;
  long target = 0;
  void add() {
    std::lock_guard lock(mutex);
    if (++count >= target) cv.notify_all();
  }
  void wait_for(long n) {
    std::unique_lock lock(mutex);
    target = n;
    cv.wait(lock, [&] { return count >= n; });
  }
};

void throughput(int runs, int window, const std::string& workflow = "three_steps") {
  Bench bench;
  Finished finished;
  std::atomic<int> started{0};
  Engine* engine_ptr = nullptr;
  // Each run that ends starts the next one, so `window` runs stay in flight.
  auto start_one = [&] {
    if (started.fetch_add(1) < runs)
      engine_ptr->start_run_async(workflow, nlohmann::json::object(), {},
                                  [](const StartResult&, std::exception_ptr) {});
  };
  EngineOptions options;
  options.workers = 2;
  options.on_finished = [&](const Run&) {
    finished.add();
    start_one();
  };
  options.executors = weft::stdlib::lua_executors(*bench.catalog, nullptr);
  Engine engine(*bench.store, *bench.catalog, bench.clock, options);
  engine_ptr = &engine;
  auto begin = Clock::now();
  for (int i = 0; i < window; ++i) start_one();
  finished.wait_for(runs);
  double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  auto stats = engine.commit_stats();
  std::printf("throughput (%s): %d runs x 3 steps, %d in flight: %.2f s, %.0f runs/s, %.0f durable steps/s"
              " (%llu commits, %.1f writes and %.2f ms per commit)\n",
              workflow.c_str(), runs, window, seconds, runs / seconds, 3.0 * runs / seconds,
              static_cast<unsigned long long>(stats.batches),
              static_cast<double>(stats.writes) / std::max<uint64_t>(1, stats.batches),
              stats.commit_micros / 1000.0 / std::max<uint64_t>(1, stats.batches));
}

void latency(int samples) {
  Bench bench;
  Finished finished;
  EngineOptions options;
  options.workers = 1;
  options.on_finished = [&](const Run&) { finished.add(); };
  options.executors = weft::stdlib::lua_executors(*bench.catalog, nullptr);
  Engine engine(*bench.store, *bench.catalog, bench.clock, options);
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    auto begin = Clock::now();
    engine.start_run("three_steps", nlohmann::json::object());
    finished.wait_for(i + 1);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  std::printf("latency: %d sequential 3-step runs, start to durable result: p50 %.3f ms, p99 %.3f ms,"
              " max %.3f ms\n",
              samples, at(0.50), at(0.99), ms.back());
}

void replay(int steps) {
  Bench bench;
  Finished finished;
  EngineOptions options;
  options.workers = 1;
  options.background = false;
  options.on_finished = [&](const Run&) { finished.add(); };
  options.executors = weft::stdlib::lua_executors(*bench.catalog, nullptr);
  Engine engine(*bench.store, *bench.catalog, bench.clock, options);
  Run run = engine.start_run("long_history", {{"steps", steps}});
  engine.wait_idle();  // executed every step, now parked waiting for "go"
  engine.deliver_event(run.id, "go", nullptr);
  auto begin = Clock::now();
  engine.poll();  // claims it: load history, replay every step, finish
  finished.wait_for(1);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
  std::printf("replay: resuming a run with %d recorded steps to its end: %.2f ms\n", steps, ms);
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();  // as weft itself does
  weft::stdlib::register_native_modules();
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  std::string only = argc > 2 ? argv[2] : "";  // e.g. `bench_engine --full throughput`
  if (only.empty() || only == "throughput") throughput(smoke ? 600 : 10'000, 256);
  if (only.empty() || only == "latency") latency(smoke ? 50 : 2'000);
  if (only.empty() || only == "replay") replay(smoke ? 1'000 : 10'000);
  if (only.empty() || only == "queue") {
    throughput(smoke ? 600 : 10'000, 64);
    throughput(smoke ? 600 : 10'000, 256, "queued_steps");
  }
  return 0;
}
