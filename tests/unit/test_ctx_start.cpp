// ctx:start: a run started without waiting, durable before its id is
// handed out, replayed without starting again, deduplicated by key,
// delayed, and linked to its starter.
#include <catch2/catch.hpp>

#include "tests/support/engine_fixture.hpp"

using weft::engine::EventKind;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

const char* kWorker = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "worker",
  run = function(ctx, input)
    ctx:sleep(input.sleep or 0)
    return { got = input.n }
  end,
}
)lua";

// Starts a worker (options from the input), sleeps a minute, returns the id.
const char* kStarter = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "starter",
  run = function(ctx, input)
    local id = ctx:start("worker", { n = input.n, sleep = input.sleep }, input.options)
    ctx:sleep("1m")
    return { id = id }
  end,
}
)lua";

std::vector<weft::engine::Run> runs_of(EngineFixture& f, const std::string& workflow) {
  weft::engine::RunFilter filter;
  filter.workflow = workflow;
  return f.store->runs().list_runs(filter);
}

}  // namespace

TEST_CASE("ctx:start returns at once with the id of a run that goes on by itself", "[engine][start]") {
  EngineFixture f;
  f.write_workflow("worker", kWorker);
  f.write_workflow("starter", kStarter);
  auto starter = f.start("starter", {{"n", 7}, {"sleep", "1h"}});
  auto workers = runs_of(f, "worker");
  REQUIRE(workers.size() == 1);
  const auto& worker = workers[0];
  CHECK(worker.status == RunStatus::Sleeping);  // started and running on its own
  CHECK(worker.started_by == starter.id);
  CHECK(worker.root_id == worker.id);  // a tree of its own, not a child
  CHECK(worker.parent_id.empty());
  f.advance(60'000);
  auto done = f.run(starter.id);
  REQUIRE(done.status == RunStatus::Completed);  // did not wait for the worker's hour
  CHECK(done.result["id"] == worker.id);
  CHECK(f.run(worker.id).status == RunStatus::Sleeping);
  auto history = f.history(starter.id);
  REQUIRE(history.size() >= 1);
  CHECK(history[0].kind == EventKind::Start);
  CHECK(history[0].name == "worker");
  CHECK(history[0].result["run_id"] == worker.id);
  f.advance(3'600'000);
  CHECK(f.run(worker.id).status == RunStatus::Completed);
  CHECK(f.run(worker.id).result["got"] == 7);
}

TEST_CASE("a replayed ctx:start returns the recorded id and starts nothing", "[engine][start]") {
  EngineFixture f;
  f.write_workflow("worker", kWorker);
  f.write_workflow("starter", kStarter);
  auto starter = f.start("starter", {{"n", 1}});
  REQUIRE(f.run(starter.id).status == RunStatus::Sleeping);
  f.restart();  // a new process: the starter resumes by replaying its start
  f.advance(60'000);
  auto done = f.run(starter.id);
  REQUIRE(done.status == RunStatus::Completed);
  auto workers = runs_of(f, "worker");
  REQUIRE(workers.size() == 1);
  CHECK(done.result["id"] == workers[0].id);
}

TEST_CASE("ctx:start with a key returns the run already started with it", "[engine][start]") {
  EngineFixture f;
  f.write_workflow("worker", kWorker);
  f.write_workflow("starter", kStarter);
  nlohmann::json options = {{"key", "contact-42"}};
  auto first = f.start("starter", {{"n", 1}, {"sleep", "1h"}, {"options", options}});
  auto second = f.start("starter", {{"n", 2}, {"sleep", "1h"}, {"options", options}});
  f.advance(60'000);
  auto workers = runs_of(f, "worker");
  REQUIRE(workers.size() == 1);
  CHECK(workers[0].idempotency_key == "contact-42");
  CHECK(f.run(first.id).result["id"] == workers[0].id);
  CHECK(f.run(second.id).result["id"] == workers[0].id);
  CHECK(f.history(second.id)[0].result["existing"] == true);
  f.start("starter", {{"n", 3}, {"options", {{"key", "contact-43"}}}});  // another key, another run
  CHECK(runs_of(f, "worker").size() == 2);
}

TEST_CASE("ctx:start with a delay makes the run due only then", "[engine][start]") {
  EngineFixture f;
  f.write_workflow("worker", kWorker);
  f.write_workflow("starter", kStarter);
  f.start("starter", {{"n", 5}, {"options", {{"delay", "5m"}}}});
  auto workers = runs_of(f, "worker");
  REQUIRE(workers.size() == 1);
  CHECK(workers[0].status == RunStatus::Pending);
  f.advance(4 * 60'000);
  CHECK(f.run(workers[0].id).status == RunStatus::Pending);
  f.advance(60'000);
  CHECK(f.run(workers[0].id).status == RunStatus::Completed);
}

TEST_CASE("ctx:start refuses bad arguments and unknown workflows with clear errors", "[engine][start]") {
  EngineFixture f;
  f.write_workflow("worker", kWorker);
  f.write_workflow("bad", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "bad",
  run = function(ctx, input)
    local ok, err = pcall(ctx.start, ctx, "worker", {}, { delay = "soon" })
    local ok2, err2 = pcall(ctx.start, ctx, "worker", {}, { key = "" })
    local ok3, err3 = pcall(ctx.start, ctx, "worker", {}, { priority = 1.5 })
    local ok4, err4 = pcall(ctx.start, ctx, "nope", {})
    local ok5, err5 = pcall(function()
      return ctx:step("s", { retry = { attempts = 1 } }, function() return ctx:start("worker") end)
    end)
    return { tostring(err), tostring(err2), tostring(err3), tostring(err4), tostring(err5) }
  end,
}
)lua");
  auto run = f.start("bad");
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK_THAT(done.result[0].get<std::string>(), Catch::Contains("delay must be a duration"));
  CHECK_THAT(done.result[1].get<std::string>(), Catch::Contains("key must be 1-256 bytes"));
  CHECK_THAT(done.result[2].get<std::string>(), Catch::Contains("priority must be an integer"));
  CHECK_THAT(done.result[3].get<std::string>(), Catch::Contains("no workflow named 'nope'"));
  CHECK_THAT(done.result[4].get<std::string>(), Catch::Contains("not allowed inside step"));
  CHECK(runs_of(f, "worker").empty());
}

TEST_CASE("ctx:start counts toward the run's children budget", "[engine][start]") {
  EngineFixture f;
  f.write_workflow("worker", kWorker);
  f.write_workflow("flood", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "flood",
  budget = { children = 3 },
  run = function(ctx)
    for i = 1, 10 do ctx:start("worker", { n = i }) end
  end,
}
)lua");
  auto run = f.start("flood");
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Failed);
  CHECK_THAT(done.error["message"].get<std::string>(), Catch::Contains("runs limit reached"));
  CHECK(runs_of(f, "worker").size() == 3);
}
