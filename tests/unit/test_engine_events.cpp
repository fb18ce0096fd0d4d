// Events sent to runs (with and without timeout, before and during the
// wait) and child runs.
#include <catch2/catch.hpp>

#include "tests/support/engine_fixture.hpp"

using weft::engine::DeliverOutcome;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

const char* kApproval = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "approval",
  run = function(ctx, input)
    local decision, why = ctx:wait_event("approval", { timeout = input.timeout })
    if decision == nil then return { outcome = why } end
    return { outcome = "decided", by = decision.by }
  end,
}
)lua";

}  // namespace

TEST_CASE("wait_event returns the payload of the event sent to the run", "[engine][events]") {
  EngineFixture f;
  f.write_workflow("approval", kApproval);
  auto run = f.start("approval", {{"timeout", "1h"}});
  REQUIRE(f.run(run.id).status == RunStatus::Waiting);
  CHECK(f.engine->deliver_event(run.id, "approval", {{"by", "kim"}}) == DeliverOutcome::Delivered);
  f.settle();
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == nlohmann::json({{"outcome", "decided"}, {"by", "kim"}}));
  CHECK(f.engine->deliver_event(run.id, "approval", 1) == DeliverOutcome::AlreadyFinished);
  CHECK(f.engine->deliver_event("nope", "approval", 1) == DeliverOutcome::NotFound);
}

TEST_CASE("wait_event without an event returns nil and timeout at its timeout", "[engine][events]") {
  EngineFixture f;
  f.write_workflow("approval", kApproval);
  auto run = f.start("approval", {{"timeout", "30s"}});
  f.advance(29'999);
  CHECK(f.run(run.id).status == RunStatus::Waiting);
  f.advance(1);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["outcome"] == "timeout");
}

TEST_CASE("without a timeout the run waits as long as it takes", "[engine][events]") {
  EngineFixture f;
  f.write_workflow("approval", kApproval);
  auto run = f.start("approval");
  f.advance(7 * 24 * 3600 * 1000LL);
  CHECK(f.run(run.id).status == RunStatus::Waiting);
  f.engine->deliver_event(run.id, "approval", {{"by", "late"}});
  f.settle();
  CHECK(f.run(run.id).result["by"] == "late");
}

TEST_CASE("events sent before the wait are kept and taken in order", "[engine][events]") {
  EngineFixture f;
  f.write_workflow("two_events", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "two_events",
  run = function(ctx)
    ctx:sleep(1)
    local a = ctx:wait_event("item")
    local b = ctx:wait_event("item")
    return { a, b }
  end,
}
)lua");
  auto run = f.start("two_events");
  f.engine->deliver_event(run.id, "item", "first");
  f.engine->deliver_event(run.id, "item", "second");
  f.settle();
  CHECK(f.run(run.id).status == RunStatus::Sleeping);
  f.advance(1'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == nlohmann::json::array({"first", "second"}));
}

TEST_CASE("ctx:child runs another workflow and returns its result", "[engine][child]") {
  EngineFixture f;
  f.write_workflow("double", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "double",
  run = function(ctx, input)
    ctx:sleep(2)
    return ctx:step("double", function() return input.n * 2 end)
  end,
}
)lua");
  f.write_workflow("parent", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "parent",
  run = function(ctx, input)
    local a = ctx:child("double", { n = input.n })
    local ok, err = pcall(ctx.child, ctx, "double", { n = "not a number" })
    return { doubled = a, child_error = not ok and err.kind }
  end,
}
)lua");
  auto run = f.start("parent", {{"n", 21}});
  CHECK(f.run(run.id).status == RunStatus::Waiting);
  auto child = f.run(run.id + ".1");
  CHECK(child.parent_id == run.id);
  CHECK(child.status == RunStatus::Sleeping);
  f.advance(2'000);  // first child wakes and completes; the second starts
  f.advance(2'000);  // the second child's step fails, and is retried (default policy)
  f.advance(1'000);
  f.advance(2'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["doubled"] == 42);
  CHECK(done.result["child_error"] == "error");
  CHECK(f.run(run.id + ".1").status == RunStatus::Completed);
  CHECK(f.run(run.id + ".2").status == RunStatus::Failed);
}

TEST_CASE("ctx:child of an unknown workflow fails the parent clearly", "[engine][child]") {
  EngineFixture f;
  f.write_workflow("orphan", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "orphan",
  run = function(ctx) return ctx:child("nobody", {}) end,
}
)lua");
  auto run = f.start("orphan");
  auto failed = f.run(run.id);
  REQUIRE(failed.status == RunStatus::Failed);
  CHECK_THAT(failed.error["message"].get<std::string>(), Catch::Contains("no workflow named 'nobody'"));
}
