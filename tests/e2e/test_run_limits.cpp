// Issue 10, per-run limits and poison runs, through the real `weft run`: a
// run that grows its history or nests children without end fails with a
// clear error instead of exhausting memory, and a run that kills its
// process at every attempt is quarantined instead of resumed for ever.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/store_open.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

using nlohmann::json;
using weft::testing::run_command;
using weft::testing::TempDir;

namespace {

std::string write_workflow(const TempDir& dir, const std::string& name, const std::string& source) {
  auto path = dir.path() / (name + ".lua");
  std::ofstream(path) << source;
  return path.string();
}

}  // namespace

TEST_CASE("issue 10: a body that records without end fails at its history limit",
          "[e2e][limits]") {
  TempDir dir;
  std::string file = write_workflow(dir, "clock_loop", R"(local weft = require "weft"
return weft.workflow { name = "clock_loop", budget = { history = 1000 },
  run = function(ctx) while true do os.time() end end })");
  auto result = run_command({WEFT_BINARY, "run", file, "--db", (dir.path() / "w.db").string()});
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("history limit exceeded (1000 events") != std::string::npos);

  auto store_owner = weft::engine::open_store((dir.path() / "w.db").string());
  auto& store = *store_owner;
  auto runs = store.runs().list_runs({});
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == weft::engine::RunStatus::Failed);
  CHECK(runs[0].error["kind"] == "limit_exceeded");
  CHECK(store.runs().history(runs[0].id).size() <= 1000);
}

TEST_CASE("issue 10: a workflow that calls itself stops at the child depth limit",
          "[e2e][limits]") {
  TempDir dir;
  std::string file = write_workflow(dir, "recurse", R"(local weft = require "weft"
return weft.workflow { name = "recurse", budget = { child_depth = 5 },
  run = function(ctx, input)
    local depth = (input.depth or 0)
    local ok, err = pcall(function() return ctx:child("recurse", { depth = depth + 1 }) end)
    if ok then return err end
    return { deepest = depth, error = tostring(err) }
  end })");
  std::string db = (dir.path() / "w.db").string();
  auto result = run_command({WEFT_BINARY, "run", file, "--db", db});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  json out = json::parse(result.out);
  CHECK(out["deepest"] == 5);
  CHECK(out["error"].get<std::string>().find("child depth limit reached (5") != std::string::npos);
  auto store_owner = weft::engine::open_store(db);
  auto& store = *store_owner;
  CHECK(store.runs().list_runs({}).size() == 6);  // the root and five nested children
}

TEST_CASE("issue 10: a run that crashes its process every time is quarantined", "[e2e][limits]") {
  TempDir dir;
  std::string file = write_workflow(dir, "poison", R"(local weft = require "weft"
return weft.workflow { name = "poison",
  run = function(ctx) return ctx:step("explode", function() return 1 end) end })");
  std::string db = (dir.path() / "w.db").string();
  std::vector<std::string> run = {WEFT_BINARY, "run", file, "--db", db, "--id", "poison-1"};
  std::map<std::string, std::string> crash = {{"WEFT_FAULT", "after-step-before-commit:1"}};
  for (int attempt = 1; attempt <= 3; ++attempt) {  // the first start and two resumes die
    INFO("attempt " << attempt);
    CHECK(run_command(run, crash).exit_code == -1);
  }
  auto quarantined = run_command(run, crash);  // would die again: it must not run
  INFO(quarantined.err);
  CHECK(quarantined.exit_code == 1);
  CHECK(quarantined.err.find("quarantined") != std::string::npos);

  auto store_owner = weft::engine::open_store(db);
  auto& store = *store_owner;
  auto poison = store.runs().get_run("poison-1");
  REQUIRE(poison);
  CHECK(poison->status == weft::engine::RunStatus::Failed);
  CHECK(poison->error["kind"] == "crashed");
  // A redrive after the fix resets the count: it runs (and completes) again.
  auto retried = run_command({WEFT_BINARY, "retry", "poison-1", "--db", db});
  INFO(retried.err);
  CHECK(retried.exit_code == 0);
  auto resumed = run_command(run);
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out == "1\n");
}
