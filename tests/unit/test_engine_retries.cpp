// Retry policies, non-retryable errors, workflow timeouts and cancellation,
// with a manual clock so every wait is exact.
#include <catch2/catch.hpp>

#include "tests/support/engine_fixture.hpp"

using weft::engine::CancelOutcome;
using weft::engine::EventStatus;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

const char* kFlaky = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "flaky",
  retry = { attempts = 4, initial = "1s", backoff = 2.0, max = "3s" },
  run = function(ctx, input)
    return ctx:step("call", function()
      if ctx.attempt <= input.failures then
        error(weft.error { kind = input.kind or "Unavailable", message = "attempt " .. ctx.attempt,
                           retryable = input.retryable })
      end
      return { attempt = ctx.attempt, key = ctx.step_key }
    end)
  end,
}
)lua";

}  // namespace

TEST_CASE("a failing step is retried with exponential backoff capped at max", "[engine][retry]") {
  EngineFixture f;
  f.write_workflow("flaky", kFlaky);
  auto run = f.start("flaky", {{"failures", 3}});
  auto h = f.history(run.id);
  REQUIRE(h.size() == 1);
  CHECK(h[0].status == EventStatus::Retrying);
  CHECK(h[0].fire_at - h[0].ended_at == 1'000);
  CHECK(f.run(run.id).status == RunStatus::Sleeping);

  f.advance(999);
  CHECK(f.history(run.id).size() == 1);  // not before its time
  f.advance(1);
  h = f.history(run.id);
  REQUIRE(h.size() == 2);
  CHECK(h[1].attempt == 2);
  CHECK(h[1].fire_at - h[1].ended_at == 2'000);

  f.advance(2'000);
  h = f.history(run.id);
  REQUIRE(h.size() == 3);
  CHECK(h[2].fire_at - h[2].ended_at == 3'000);  // 4s capped at 3s

  f.advance(3'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["attempt"] == 4);
  CHECK(done.result["key"] == run.id + ":1");  // the same key for every attempt
  h = f.history(run.id);
  REQUIRE(h.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(h[i].seq == 1);
    CHECK(h[i].error["message"] == "attempt " + std::to_string(i + 1));
    CHECK_THAT(h[i].error["traceback"].get<std::string>(), Catch::Contains("stack traceback"));
  }
}

TEST_CASE("a step fails after its last attempt", "[engine][retry]") {
  EngineFixture f;
  f.write_workflow("flaky", kFlaky);
  auto run = f.start("flaky", {{"failures", 10}});
  f.advance(1'000);
  f.advance(2'000);
  f.advance(3'000);
  auto failed = f.run(run.id);
  REQUIRE(failed.status == RunStatus::Failed);
  CHECK(failed.error["message"] == "attempt 4");
  auto h = f.history(run.id);
  REQUIRE(h.size() == 4);
  CHECK(h[3].status == EventStatus::Failed);
}

TEST_CASE("a non-retryable error fails at once", "[engine][retry]") {
  EngineFixture f;
  f.write_workflow("flaky", kFlaky);
  SECTION("retryable = false on the error") {
    auto run = f.start("flaky", {{"failures", 1}, {"retryable", false}});
    CHECK(f.run(run.id).status == RunStatus::Failed);
    CHECK(f.history(run.id).size() == 1);
  }
  SECTION("the kind is listed in non_retryable of the step") {
    f.write_workflow("validating", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "validating",
  retry = { attempts = 5 },
  run = function(ctx)
    return ctx:step("validate", { retry = { non_retryable = { "ValidationError" } } }, function()
      error(weft.error { kind = "ValidationError", message = "email missing" })
    end)
  end,
}
)lua");
    auto run = f.start("validating");
    auto failed = f.run(run.id);
    CHECK(failed.status == RunStatus::Failed);
    CHECK(failed.error["kind"] == "ValidationError");
    CHECK(f.history(run.id).size() == 1);
  }
}

TEST_CASE("a step's policy overrides the workflow's", "[engine][retry]") {
  EngineFixture f;
  f.write_workflow("override", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "override",
  retry = { attempts = 5, initial = "1s" },
  run = function(ctx)
    return ctx:step("once", { retry = { attempts = 1 } }, function() error("boom") end)
  end,
}
)lua");
  auto run = f.start("override");
  CHECK(f.run(run.id).status == RunStatus::Failed);
  CHECK(f.history(run.id).size() == 1);
}

TEST_CASE("a workflow that outlives its timeout fails with kind timeout", "[engine][timeout]") {
  EngineFixture f;
  f.write_workflow("slow", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "slow",
  timeout = "10s",
  run = function(ctx)
    ctx:sleep("1m")
    return "too late"
  end,
}
)lua");
  auto run = f.start("slow");
  REQUIRE(f.run(run.id).wake_at == run.created_at + 10'000);  // woken at the deadline
  f.advance(10'000);
  auto failed = f.run(run.id);
  REQUIRE(failed.status == RunStatus::Failed);
  CHECK(failed.error["kind"] == "timeout");
}

TEST_CASE("cancelling a parked run ends it cancelled and a finished run cannot be cancelled",
          "[engine][cancel]") {
  EngineFixture f;
  f.write_workflow("waiter", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "waiter",
  run = function(ctx) return ctx:wait_event("go") end,
}
)lua");
  auto run = f.start("waiter");
  REQUIRE(f.run(run.id).status == RunStatus::Waiting);
  CHECK(f.engine->cancel(run.id) == CancelOutcome::Cancelled);
  auto cancelled = f.run(run.id);
  CHECK(cancelled.status == RunStatus::Cancelled);
  CHECK(cancelled.error["kind"] == "cancelled");
  CHECK(f.engine->cancel(run.id) == CancelOutcome::AlreadyFinished);
  CHECK(f.engine->cancel("no-such-run") == CancelOutcome::NotFound);
  f.engine->deliver_event(run.id, "go", 1);
  f.settle();
  CHECK(f.run(run.id).status == RunStatus::Cancelled);
}

TEST_CASE("a cancellation requested while the run holds its lease stops it at its next durable call",
          "[engine][cancel]") {
  EngineFixture f;
  f.write_workflow("busy", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "busy",
  run = function(ctx)
    ctx:sleep(1)
    ctx:step("after", function() return 1 end)
    return "finished"
  end,
}
)lua");
  auto run = f.start("busy");
  // Simulate another process holding the lease when the cancel arrives.
  weft::engine::ClaimRequest claim{"other-host:1:x", f.clock.now_ms() + 1'000, 60'000, 10, "", {}};
  f.clock.advance_ms(1'000);
  REQUIRE(f.store->runs().claim_due(claim).size() == 1);
  CHECK(f.engine->cancel(run.id) == CancelOutcome::Requested);
  f.store->runs().break_leases("other-host:1:x");
  f.engine->poll();
  f.settle();
  auto cancelled = f.run(run.id);
  CHECK(cancelled.status == RunStatus::Cancelled);
  for (const auto& e : f.history(run.id)) CHECK(e.name != "after");
}

TEST_CASE("a cancellation requested while the run holds its lease is not lost when it then parks",
          "[engine][cancel]") {
  EngineFixture f;
  f.write_workflow("waiter", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "waiter",
  run = function(ctx) return ctx:wait_event("go") end,
}
)lua");
  auto run = f.start("waiter");
  REQUIRE(f.run(run.id).status == RunStatus::Waiting);
  // Another process holds the lease (it is executing the run) when the
  // cancel arrives, then parks the run again without having seen it.
  f.store->runs().deliver_event(run.id, "other", nlohmann::json(1), f.clock.now_ms());
  weft::engine::ClaimRequest claim{"other-host:1:x", f.clock.now_ms(), 60'000, 10, "", {}};
  REQUIRE(f.store->runs().claim_due(claim).size() == 1);
  CHECK(f.engine->cancel(run.id) == CancelOutcome::Requested);
  weft::engine::UpdateRun park;
  park.id = run.id;
  park.status = RunStatus::Waiting;
  park.release_lease = true;
  park.await_events = {"go"};
  park.updated_at = f.clock.now_ms();
  REQUIRE(f.store->runs().commit({{run.id, "other-host:1:x", {park}}}) == std::vector<bool>{true});
  f.engine->poll();
  f.settle();
  auto cancelled = f.run(run.id);
  CHECK(cancelled.status == RunStatus::Cancelled);
  CHECK(cancelled.error["kind"] == "cancelled");
}
