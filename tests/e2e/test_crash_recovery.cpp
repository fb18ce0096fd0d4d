// Crash recovery, end to end: a real `weft resume` process runs many runs
// with steps and short sleeps and is killed with SIGKILL at random moments,
// then resumed. Every run must end with the right result, every history
// position must appear once, no committed step may run again and no
// completed sleep may be slept again (read from the engine trace).
#include <catch2/catch.hpp>

#include <fstream>
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

}  // namespace

TEST_CASE("runs survive repeated SIGKILL of the process executing them", "[e2e][crash]") {
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "crashy.lua") << kCrashy;
  std::string db = (dir.path() / "weft.db").string();
  std::string trace = (dir.path() / "trace.log").string();
  const int kRuns = 40;
  std::map<std::string, int> expected_total;
  {
    auto store_owner = weft::engine::open_store(db);
  auto& store = *store_owner;
    weft::dsl::LuaWorkflowCatalog catalog(store.scripts(), workflows.string());
    catalog.add_folder();
    weft::engine::SystemClock clock;
    weft::engine::EngineOptions options;
    options.background = false;
    options.workers = 1;
    options.executors = weft::stdlib::lua_executors(catalog, nullptr);
    weft::engine::Engine engine(store, catalog, clock, options);
    for (int k = 1; k <= kRuns; ++k)
      expected_total[engine.enqueue_run("crashy", {{"k", k}}).id] = 21 * k;
  }

  std::vector<std::string> resume = {WEFT_BINARY, "resume", "--db", db, "--workflows",
                                     workflows.string(), "--workers", "2"};
  std::map<std::string, std::string> env = {{"WEFT_TRACE_FILE", trace}};
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(50, 400);
  for (int crash = 0; crash < 6; ++crash) {
    Process process(resume, env);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    process.kill_hard();
  }
  Process final_resume(resume, env);
  auto result = final_resume.wait(std::chrono::seconds(120));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  auto store_owner = weft::engine::open_store(db);
  auto& store = *store_owner;
  for (const auto& [id, total] : expected_total) {
    auto run = store.runs().get_run(id);
    REQUIRE(run);
    INFO("run " << id);
    CHECK(run->status == RunStatus::Completed);
    CHECK(run->result["total"] == total);
    auto history = store.runs().history(id);
    CHECK(history.size() == 9);  // 6 steps and 3 sleeps
    for (size_t i = 0; i < history.size(); ++i) {
      CHECK(history[i].seq == static_cast<int64_t>(i + 1));  // each position once, none missing
      CHECK(history[i].attempt == 1);
    }
  }
  std::ifstream in(trace);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(trace_violations(text.str()).empty());
  CHECK(text.str().find("step.start") != std::string::npos);
}

TEST_CASE("a crash between a step and its commit re-runs that step once, and only it",
          "[e2e][crash]") {
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "crashy.lua") << kCrashy;
  std::string db = (dir.path() / "weft.db").string();
  std::string trace = (dir.path() / "trace.log").string();
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
