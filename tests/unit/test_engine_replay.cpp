// Replay through the whole engine: recorded results come back without
// running steps again, recorded values are stable, and a history that
// disagrees with the workflow stops the run.
#include <catch2/catch.hpp>

#include <thread>

#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::EventKind;
using weft::engine::EventStatus;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

// Step "draw" returns a fresh random number each time it really runs, so
// a re-execution on replay would show up as a different value.
const char* kDrawSleepDraw = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "draws",
  run = function(ctx, input)
    local first = ctx:step("draw", function() return math.random() end)
    ctx:sleep("10s")
    local second = ctx:step("draw_again", function() return math.random() end)
    return { first = first, second = second }
  end,
}
)lua";

}  // namespace

TEST_CASE("a parked run resumes by replay without running finished steps again", "[engine][replay]") {
  EngineFixture f;
  f.write_workflow("draws", kDrawSleepDraw);
  auto run = f.start("draws");
  CHECK(f.run(run.id).status == RunStatus::Sleeping);
  auto before = f.history(run.id);
  REQUIRE(before.size() == 2);
  double recorded_first = before[0].result.get<double>();

  f.advance(9'000);
  CHECK(f.run(run.id).status == RunStatus::Sleeping);  // not due yet
  f.advance(1'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["first"].get<double>() == recorded_first);
  auto after = f.history(run.id);
  REQUIRE(after.size() == 3);
  CHECK(after[0].result.get<double>() == recorded_first);
  CHECK(after[1].status == EventStatus::Completed);  // the sleep, completed once
}

TEST_CASE("a restarted engine resumes parked runs from the database", "[engine][replay]") {
  EngineFixture f;
  f.write_workflow("draws", kDrawSleepDraw);
  auto run = f.start("draws");
  double recorded_first = f.history(run.id)[0].result.get<double>();
  f.restart();
  f.advance(10'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["first"].get<double>() == recorded_first);
}

TEST_CASE("now, uuid and random are recorded and replayed unchanged", "[engine][replay]") {
  EngineFixture f;
  f.write_workflow("values", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "values",
  run = function(ctx)
    local seen = { now = ctx:now(), uuid = ctx:uuid(), random = ctx:random(),
                   os_time = os.time(), dice = math.random(6) }
    ctx:sleep(5)
    seen.later = ctx:now()
    return seen
  end,
}
)lua");
  int64_t start_ms = f.clock.now_ms();
  auto run = f.start("values");
  auto parked = f.history(run.id);
  REQUIRE(parked.size() == 6);
  f.advance(5'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  const auto& r = done.result;
  CHECK(r["now"].get<double>() == Approx(start_ms / 1000.0));
  CHECK(r["later"].get<double>() == Approx((start_ms + 5'000) / 1000.0));
  CHECK(r["uuid"] == parked[1].result);
  CHECK(r["uuid"].get<std::string>().size() == 36);
  CHECK(r["random"] == parked[2].result);
  CHECK(r["os_time"].get<int64_t>() == start_ms / 1000);
  int dice = r["dice"].get<int>();
  CHECK(dice >= 1);
  CHECK(dice <= 6);
  CHECK(parked[0].kind == EventKind::Now);
  CHECK(parked[1].kind == EventKind::Uuid);
  CHECK(parked[2].kind == EventKind::Random);
}

TEST_CASE("a history that disagrees with the workflow stops the run with both sides named",
          "[engine][replay]") {
  EngineFixture f;
  f.write_workflow("draws", kDrawSleepDraw);
  auto run = f.start("draws");
  // Make the recorded step at position 1 carry another name, as if the
  // workflow had been edited under a running run.
  auto recorded = f.history(run.id)[0];
  recorded.name = "charge_card";
  f.store->runs().commit({{run.id, "", {weft::engine::PutEvent{recorded}}}});
  f.advance(10'000);
  auto failed = f.run(run.id);
  REQUIRE(failed.status == RunStatus::Failed);
  CHECK(failed.error["kind"] == "non_determinism");
  std::string message = failed.error["message"];
  CHECK_THAT(message, Catch::Contains("position 1") && Catch::Contains("step 'charge_card'") &&
                          Catch::Contains("step 'draw'") && Catch::Contains(run.id));
  // The same report as weft replay's, with where each side is in the source.
  const auto& divergence = failed.error["divergence"];
  CHECK(divergence["position"] == 1);
  CHECK(divergence["recorded"]["name"] == "charge_card");
  CHECK(divergence["recorded"]["location"] == "draws.lua:6");
  CHECK(divergence["current"]["kind"] == "step");
  CHECK(divergence["current"]["name"] == "draw");
  CHECK(divergence["current"]["location"] == "draws.lua:6");
}

TEST_CASE("non-determinism stops the run even when the workflow catches the error",
          "[engine][replay]") {
  EngineFixture f;
  f.write_workflow("stubborn", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "stubborn",
  run = function(ctx)
    ctx:step("a", function() return 1 end)
    ctx:sleep(1)
    local ok = pcall(function() ctx:step("b", function() return 2 end) end)
    return "swallowed"
  end,
}
)lua");
  auto run = f.start("stubborn");
  auto sleep = f.history(run.id)[1];
  sleep.kind = EventKind::Step;  // position 2 now claims to be a step
  sleep.name = "b";
  sleep.status = EventStatus::Completed;
  f.store->runs().commit({{run.id, "", {weft::engine::PutEvent{sleep}}}});
  f.advance(1'000);
  auto failed = f.run(run.id);
  CHECK(failed.status == RunStatus::Failed);
  CHECK(failed.error["kind"] == "non_determinism");
}

TEST_CASE("a run finishes on the script version it started with", "[engine][versions]") {
  EngineFixture f;
  auto source = [](const char* answer) {
    return std::string(R"lua(
local weft = require "weft"
return weft.workflow {
  name = "versioned",
  run = function(ctx)
    ctx:sleep(1)
    return ")lua") + answer + R"lua("
  end,
}
)lua";
  };
  f.write_workflow("versioned", source("v1"));
  auto old_run = f.start("versioned");
  f.write_workflow("versioned", source("v2"));
  auto new_run = f.start("versioned");
  CHECK(old_run.script_hash != new_run.script_hash);
  f.advance(1'000);
  CHECK(f.run(old_run.id).result == "v1");
  CHECK(f.run(new_run.id).result == "v2");
}

TEST_CASE("an idempotency key gives the same run for the same input, and a conflict otherwise",
          "[engine][idempotency]") {
  EngineFixture f;
  f.write_workflow("draws", kDrawSleepDraw);
  weft::engine::StartOptions options;
  options.idempotency_key = "order-42";
  auto first = f.engine->start_run("draws", {{"n", 1}}, options);
  f.settle();
  auto again = f.engine->start_run("draws", {{"n", 1}}, options);
  f.settle();
  CHECK(again.id == first.id);
  CHECK(f.history(first.id).size() == 2);  // executed once: one step, one sleep
  CHECK_THROWS_AS(f.engine->start_run("draws", {{"n", 2}}, options), weft::engine::IdempotencyConflict);
  options.idempotency_key = "order-43";
  CHECK(f.engine->start_run("draws", {{"n", 1}}, options).id != first.id);
  weft::engine::RunFilter all;
  CHECK(f.store->runs().list_runs(all).size() == 2);
}

TEST_CASE("concurrent starts with one idempotency key make one run", "[engine][idempotency]") {
  EngineFixture f;
  f.write_workflow("draws", kDrawSleepDraw);
  std::vector<std::thread> starters;
  std::vector<std::string> ids(8);
  for (int i = 0; i < 8; ++i)
    starters.emplace_back([&, i] {
      weft::engine::StartOptions options;
      options.idempotency_key = "same";
      ids[i] = f.engine->start_run("draws", json::object(), options).id;
    });
  for (auto& t : starters) t.join();
  f.settle();
  for (const auto& id : ids) CHECK(id == ids[0]);
  CHECK(f.store->runs().list_runs({}).size() == 1);
}
