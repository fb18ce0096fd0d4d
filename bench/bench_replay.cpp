// The side-effect-free replayer (dsl/replayer.hpp) on recorded runs, the
// work of `weft replay --workflow` as a pre-deploy gate: N runs of a
// 10-step workflow are executed for real on a SQLite file, then replayed
// one after another on one thread against their own version.
// Prints runs replayed per second, with and without reading their
// histories from the database. Exits 1 if a run diverged or ended differently.
// `--smoke` runs a short form for CI.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include "dsl/lua_workflow_catalog.hpp"
#include "dsl/replayer.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/store_open.hpp"
#include "stdlib/run_services.hpp"

namespace {

using namespace weft::engine;
using Steady = std::chrono::steady_clock;

const char* kTenSteps = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "ten_steps",
  run = function(ctx, input)
    local total = 0
    for i = 1, 10 do
      total = total + ctx:step("step_" .. i, function() return i * input.n end)
    end
    return { total = total }
  end,
}
)lua";

double seconds_since(Steady::time_point begin) {
  return std::chrono::duration<double>(Steady::now() - begin).count();
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  const int runs = smoke ? 200 : 5000;
  auto dir = std::filesystem::temp_directory_path() / ("weft-bench-replay-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "workflows");
  std::ofstream(dir / "workflows" / "ten_steps.lua") << kTenSteps;
  int diverged = 0;
  int64_t calls = 0;  // durable calls answered from history, both passes
  {
    auto store = open_store((dir / "bench.db").string());
    weft::dsl::LuaWorkflowCatalog catalog(store->scripts(), (dir / "workflows").string());
    catalog.add_folder();
    SystemClock clock;

    std::mutex mutex;
    std::condition_variable all_done;
    int finished = 0;
    EngineOptions options;
    options.workers = 2;
    options.on_finished = [&](const Run&) {
      std::lock_guard lock(mutex);
      if (++finished == runs) all_done.notify_all();
    };
    options.executors = weft::stdlib::lua_executors(catalog, nullptr);
    {
      Engine engine(*store, catalog, clock, options);
      for (int i = 0; i < runs; ++i)
        engine.start_run_async("ten_steps", {{"n", i}}, {}, [](const StartResult&, std::exception_ptr) {});
      std::unique_lock lock(mutex);
      all_done.wait(lock, [&] { return finished == runs; });
    }

    RunFilter filter;
    filter.workflow = "ten_steps";
    filter.limit = runs;
    auto recorded = store->runs().list_runs(filter);
    ScriptVersion version = catalog.version(catalog.by_name("ten_steps")->hash);

    weft::dsl::Replayer replayer;
    auto begin = Steady::now();
    auto tally = [&](const weft::dsl::ReplayReport& report) {
      diverged += report.divergence || report.result_differs ? 1 : 0;
      calls += report.replayed;
    };
    for (const auto& run : recorded) tally(replayer.replay(run, store->runs().history(run.id), version));
    double with_reads = seconds_since(begin);

    std::vector<std::vector<HistoryEvent>> histories;
    for (const auto& run : recorded) histories.push_back(store->runs().history(run.id));
    begin = Steady::now();
    for (size_t i = 0; i < recorded.size(); ++i) tally(replayer.replay(recorded[i], histories[i], version));
    double replay_only = seconds_since(begin);

    std::printf("replay: %zu recorded 10-step runs on one thread: %.0f runs/s reading each history"
                " from SQLite (%.2f s), %.0f runs/s replaying alone (%.2f s); %lld calls replayed,"
                " %d diverged or ended differently\n",
                recorded.size(), recorded.size() / with_reads, with_reads,
                recorded.size() / replay_only, replay_only, static_cast<long long>(calls), diverged);
  }
  std::filesystem::remove_all(dir);
  return diverged == 0 ? 0 : 1;
}
