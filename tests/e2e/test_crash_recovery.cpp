// Crash recovery, end to end: a real `weft resume` process runs many runs
// with steps and short sleeps and is killed with SIGKILL at random moments,
// then resumed. Every run must end with the right result, every history
// position must appear once, no committed step may run again and no
// completed sleep may be slept again (read from the engine trace).
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "dsl/lua_workflow_catalog.hpp"
#include "stdlib/run_services.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

using weft::engine::RunStatus;
using weft::testing::Process;
using weft::testing::TempDir;

namespace {

const char* kCrashy = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "crashy",
  run = function(ctx, input)
    local total = 0
    for i = 1, 6 do
      total = total + ctx:step("add_" .. i, function() return i * input.k end)
      if i % 2 == 0 then ctx:sleep("150ms") end
    end
    return { total = total, k = input.k }
  end,
}
)lua";

// 20 branches, five at a time, each two steps and sometimes a sleep.
const char* kBranchy = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "branchy",
  run = function(ctx, input)
    local items = {}
    for i = 1, 20 do items[i] = i end
    local out = ctx:map(items, function(item)
      local a = ctx:step("a", function() return item * input.k end)
      if item % 4 == 0 then ctx:sleep("100ms") end
      return a + ctx:step("b", function() return item end)
    end, { concurrency = 5 })
    local total = 0
    for _, v in ipairs(out) do total = total + v end
    return { total = total, k = input.k }
  end,
}
)lua";

// Runs whose lines in the trace break the rules; empty when all is well.
std::vector<std::string> trace_violations(const std::string& trace) {
  std::vector<std::string> problems;
  std::set<std::string> committed_steps, completed_sleeps;
  std::regex start(R"(^step\.start run=(\S+) seq=(\d+))");
  std::regex commit(R"(^step\.commit run=(\S+) seq=(\d+) attempt=\d+ status=completed)");
  std::regex park(R"(^park run=(\S+) seq=(\d+) status=sleeping)");
  std::regex sleep_done(R"(^sleep\.done run=(\S+) seq=(\d+))");
  std::istringstream lines(trace);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, m, start) && committed_steps.count(m[1].str() + "#" + m[2].str()))
      problems.push_back("step ran again after its commit: " + line);
    else if (std::regex_search(line, m, commit))
      committed_steps.insert(m[1].str() + "#" + m[2].str());
    else if (std::regex_search(line, m, park) && completed_sleeps.count(m[1].str() + "#" + m[2].str()))
      problems.push_back("sleep slept again after it completed: " + line);
    else if (std::regex_search(line, m, sleep_done))
      completed_sleeps.insert(m[1].str() + "#" + m[2].str());
  }
  return problems;
}

// A folder with one workflow file, its database and trace file.
struct CrashSite {
  TempDir dir;
  std::filesystem::path workflows = dir.path() / "workflows";
  std::string db = (dir.path() / "weft.db").string();
  std::string trace = (dir.path() / "trace.log").string();

  CrashSite(const std::string& file, const char* source) {
    std::filesystem::create_directories(workflows);
    std::ofstream(workflows / file) << source;
  }

  // Enqueues `count` runs of `workflow` with input { k = 1..count }; returns
  // each run's id and the total it must end with.
  std::map<std::string, int> enqueue(const std::string& workflow, int count,
                                     const std::function<int(int)>& total_for) {
    auto store = weft::engine::open_store(db);
    weft::dsl::LuaWorkflowCatalog catalog(store->scripts(), workflows.string());
    catalog.add_folder();
    weft::engine::SystemClock clock;
    weft::engine::EngineOptions options;
    options.background = false;
    options.workers = 1;
    options.executors = weft::stdlib::lua_executors(catalog, nullptr);
    weft::engine::Engine engine(*store, catalog, clock, options);
    std::map<std::string, int> expected;
    for (int k = 1; k <= count; ++k) expected[engine.enqueue_run(workflow, {{"k", k}}).id] = total_for(k);
    return expected;
  }

  // `weft resume` killed with SIGKILL `crashes` times after a random
  // pause, then run to its end; returns the trace it wrote.
  std::string crash_then_resume(int crashes, int max_pause_ms) {
    std::vector<std::string> resume = {WEFT_BINARY, "resume", "--db", db, "--workflows",
                                       workflows.string(), "--workers", "2"};
    std::map<std::string, std::string> env = {{"WEFT_TRACE_FILE", trace}};
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pause_ms(50, max_pause_ms);
    for (int crash = 0; crash < crashes; ++crash) {
      Process process(resume, env);
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
      process.kill_hard();
    }
    Process final_resume(resume, env);
    auto result = final_resume.wait(std::chrono::seconds(120));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    std::ifstream in(trace);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Checks that every run completed with its total; returns their histories.
  std::map<std::string, std::vector<weft::engine::HistoryEvent>> completed_histories(
      const std::map<std::string, int>& expected_total) {
    auto store = weft::engine::open_store(db);
    std::map<std::string, std::vector<weft::engine::HistoryEvent>> out;
    for (const auto& [id, total] : expected_total) {
      auto run = store->runs().get_run(id);
      INFO("run " << id);
      REQUIRE(run);
      CHECK(run->status == RunStatus::Completed);
      CHECK(run->result["total"] == total);
      out[id] = store->runs().history(id);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("runs survive repeated SIGKILL of the process executing them", "[e2e][crash]") {
  CrashSite site("crashy.lua", kCrashy);
  auto expected_total = site.enqueue("crashy", 40, [](int k) { return 21 * k; });
  std::string trace = site.crash_then_resume(6, 400);

  for (const auto& [id, history] : site.completed_histories(expected_total)) {
    INFO("run " << id);
    CHECK(history.size() == 9);  // 6 steps and 3 sleeps
    for (size_t i = 0; i < history.size(); ++i) {
      CHECK(history[i].seq == static_cast<int64_t>(i + 1));  // each position once, none missing
      CHECK(history[i].attempt == 1);
    }
  }
  CHECK(trace_violations(trace).empty());
  CHECK(trace.find("step.start") != std::string::npos);
}

TEST_CASE("a crash between a step and its commit re-runs that step once, and only it",
          "[e2e][crash]") {
  CrashSite site("crashy.lua", kCrashy);
  const std::string& db = site.db;
  const std::string& trace = site.trace;
  const auto& workflows = site.workflows;
  for (int point = 1; point <= 6; ++point) {  // crash at the k-th step's commit, k = 1..6
    INFO("fault point after-step-before-commit:" << point);
    std::string id = "fault-" + std::to_string(point);
    std::vector<std::string> run = {WEFT_BINARY, "run", (workflows / "crashy.lua").string(),
                                    "--db", db, "--id", id, "--input", R"({"k":2})"};
    auto crashed = weft::testing::run_command(
        run, {{"WEFT_TRACE_FILE", trace},
              {"WEFT_FAULT", "after-step-before-commit:" + std::to_string(point)}});
    CHECK(crashed.exit_code == -1);  // killed by the fault point
    auto resumed = weft::testing::run_command(run, {{"WEFT_TRACE_FILE", trace}});
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.out == "{\"k\":2,\"total\":42}\n");
  }
  std::ifstream in(trace);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(trace_violations(text.str()).empty());
}

TEST_CASE("a ctx:map killed with SIGKILL resumes each branch where it stopped", "[e2e][crash]") {
  CrashSite site("branchy.lua", kBranchy);
  auto expected_total = site.enqueue("branchy", 10, [](int k) { return 210 * (k + 1); });
  std::string trace = site.crash_then_resume(5, 300);

  for (const auto& [id, history] : site.completed_histories(expected_total)) {
    INFO("run " << id);
    CHECK(history.size() == 45);  // 40 steps and 5 sleeps
    std::set<std::string> paths;
    for (const auto& event : history) {
      INFO(event.path);
      CHECK(paths.insert(event.path).second);  // each position once
      CHECK(event.attempt == 1);
    }
    CHECK(paths.count("1/20/3"));  // item 20: step a, its sleep, step b
  }
  CHECK(trace_violations(trace).empty());
  CHECK(trace.find("path=1/20/") != std::string::npos);
}
