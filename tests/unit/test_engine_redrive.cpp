// Redriving failed runs (Engine::retry): completed steps replay, the failed
// step runs again with a fresh retry budget, the history keeps the failure
// and a `redriven` marker; a failure after the last step replays to it.
#include <catch2/catch.hpp>

#include "engine/redrive.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::EventStatus;
using weft::engine::RetryOutcome;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

// Step a counts its executions in weft.store; step b fails until the
// document flags/b says ok.
const char* kRedrive = R"lua(
local weft = require "weft"
local store = require "weft.store"
return weft.workflow {
  name = "redrive",
  retry = { attempts = 2, initial = "1s", backoff = 1.0 },
  run = function(ctx, input)
    local a = ctx:step("a", function()
      local count = store.get("counts", "a")
      local n = (count and count.n or 0) + 1
      store.put("counts", "a", { n = n })
      return n
    end)
    local b = ctx:step("b", function()
      local flag = store.get("flags", "b")
      if not (flag and flag.ok) then error("b is not ready") end
      return { attempt = ctx.attempt }
    end)
    return { a = a, b = b }
  end,
}
)lua";

// Times out waiting for an event: the failure is not a step's.
const char* kTimesOut = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "times_out",
  timeout = "10s",
  run = function(ctx, input)
    local n = ctx:step("a", function() return 1 end)
    local got = ctx:wait_event("go")
    return { n = n, got = got }
  end,
}
)lua";

int executions_of_a(EngineFixture& f) {
  auto count = f.store->documents().get_document("counts", "a");
  return count ? count->doc["n"].get<int>() : 0;
}

}  // namespace

TEST_CASE("a failed run is redriven from its failed step", "[engine][redrive]") {
  EngineFixture f;
  f.write_workflow("redrive", kRedrive);
  auto run = f.start("redrive");
  f.advance(1'000);
  REQUIRE(f.run(run.id).status == RunStatus::Failed);
  CHECK(executions_of_a(f) == 1);

  f.store->documents().put_document("flags", "b", {{"ok", true}}, -1, f.clock.now_ms());
  CHECK(f.engine->retry(run.id) == RetryOutcome::Retried);
  CHECK(f.run(run.id).status == RunStatus::Pending);
  CHECK(f.run(run.id).error.is_null());
  f.settle();

  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json{{"a", 1}, {"b", {{"attempt", 4}}}});
  CHECK(executions_of_a(f) == 1);  // replayed, never executed again
  auto h = f.history(run.id);
  REQUIRE(h.size() == 5);  // a; b: retrying, failed, redriven, completed
  CHECK(h[1].status == EventStatus::Retrying);
  CHECK(h[2].status == EventStatus::Failed);
  CHECK(h[3].status == EventStatus::Redriven);
  CHECK(h[3].attempt == 3);
  CHECK(h[4].status == EventStatus::Completed);
  CHECK(h[4].attempt == 4);
  CHECK(f.engine->retry(run.id) == RetryOutcome::NotFailed);
}

TEST_CASE("a redriven step gets a fresh retry budget", "[engine][redrive]") {
  EngineFixture f;
  f.write_workflow("redrive", kRedrive);
  auto run = f.start("redrive");
  f.advance(1'000);
  REQUIRE(f.run(run.id).status == RunStatus::Failed);

  REQUIRE(f.engine->retry(run.id) == RetryOutcome::Retried);
  f.settle();
  auto h = f.history(run.id);
  REQUIRE(h.size() == 5);
  CHECK(h[4].attempt == 4);
  CHECK(h[4].status == EventStatus::Retrying);  // attempt 1 of 2 after the redrive
  CHECK(f.run(run.id).status == RunStatus::Sleeping);
  f.advance(1'000);
  h = f.history(run.id);
  REQUIRE(h.size() == 6);
  CHECK(h[5].status == EventStatus::Failed);
  CHECK(f.run(run.id).status == RunStatus::Failed);

  f.store->documents().put_document("flags", "b", {{"ok", true}}, -1, f.clock.now_ms());
  REQUIRE(f.engine->retry(run.id) == RetryOutcome::Retried);  // a second redrive
  f.settle();
  CHECK(f.run(run.id).status == RunStatus::Completed);
  CHECK(f.run(run.id).result["b"]["attempt"] == 7);
  CHECK(executions_of_a(f) == 1);
}

TEST_CASE("a failure after the last step is redriven by replay", "[engine][redrive]") {
  EngineFixture f;
  f.write_workflow("times_out", kTimesOut);
  auto run = f.start("times_out");
  f.advance(10'000);
  auto failed = f.run(run.id);
  REQUIRE(failed.status == RunStatus::Failed);
  CHECK(failed.error["kind"] == "timeout");
  size_t events = f.history(run.id).size();

  REQUIRE(f.engine->retry(run.id) == RetryOutcome::Retried);
  f.settle();
  CHECK(f.run(run.id).status == RunStatus::Waiting);  // the timeout starts over
  CHECK(f.history(run.id).size() == events);          // no marker, nothing re-executed
  f.engine->deliver_event(run.id, "go", 7);
  f.settle();
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json{{"n", 1}, {"got", 7}});
}

TEST_CASE("only failed top-level runs are redriven", "[engine][redrive]") {
  EngineFixture f;
  f.write_workflow("times_out", kTimesOut);
  f.write_workflow("redrive", kRedrive);
  f.write_workflow("parent", R"lua(local weft = require "weft"
return weft.workflow { name = "parent", run = function(ctx, input)
  return ctx:child("redrive", {})
end })lua");
  auto parent = f.start("parent");
  f.advance(1'000);
  REQUIRE(f.run(parent.id).status == RunStatus::Failed);
  std::string child = parent.id + ".1";
  REQUIRE(f.run(child).status == RunStatus::Failed);
  CHECK(f.engine->retry(child) == RetryOutcome::ChildRun);
  f.store->documents().put_document("flags", "b", {{"ok", true}}, -1, f.clock.now_ms());
  // The parent's failure is its ctx:child event, not a step: it replays
  // to it and fails the same way (a child is not started twice).
  CHECK(f.engine->retry(parent.id) == RetryOutcome::Retried);
  f.settle();
  CHECK(f.run(parent.id).status == RunStatus::Failed);

  CHECK(f.engine->retry("nope") == RetryOutcome::NotFound);
  auto run = f.start("times_out");
  CHECK(f.engine->retry(run.id) == RetryOutcome::NotFailed);  // waiting
  f.engine->cancel(run.id);
  f.settle();
  REQUIRE(f.run(run.id).status == RunStatus::Cancelled);
  CHECK(f.engine->retry(run.id) == RetryOutcome::NotFailed);
}

TEST_CASE("a run that failed inside ctx:all is redriven from the branch step that failed",
          "[engine][redrive][branches]") {
  EngineFixture f;
  f.write_workflow("fanout_redrive", R"lua(
local weft = require "weft"
local store = require "weft.store"
return weft.workflow {
  name = "fanout_redrive",
  retry = { attempts = 1 },
  run = function(ctx, input)
    return ctx:all {
      function()
        return ctx:step("boom", function()
          local flag = store.get("flags", "boom")
          if not (flag and flag.ok) then error("boom is not ready") end
          return "fixed"
        end)
      end,
      -- recorded after the failure: the last event is not the failed step
      function() return ctx:step("slow", function() return "done" end) end,
    }
  end,
}
)lua");
  auto run = f.start("fanout_redrive");
  REQUIRE(f.run(run.id).status == RunStatus::Failed);
  auto failed = f.history(run.id);
  REQUIRE(failed.size() == 2);
  CHECK(failed.back().name == "slow");
  auto culprit = weft::engine::failed_step(failed);
  REQUIRE(culprit);
  CHECK(culprit->path == "1/1/1");

  f.store->documents().put_document("flags", "boom", {{"ok", true}}, -1, f.clock.now_ms());
  CHECK(f.engine->retry(run.id) == RetryOutcome::Retried);
  f.settle();
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json::array({"fixed", "done"}));
  std::vector<std::string> boom;
  for (const auto& e : f.history(run.id))
    if (e.path == "1/1/1") boom.push_back(std::string(weft::engine::to_string(e.status)));
  CHECK(boom == std::vector<std::string>{"failed", "redriven", "completed"});
}
