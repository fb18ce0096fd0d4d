// on_failure: a workflow started exactly once for each run that ends
// failed or compensated, with what the notification needs; never for a
// completed run, never for a hook's own failure, again after a redrive
// that fails again, and refused at load when it is not a name.
#include <catch2/catch.hpp>

#include <set>

#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

const char* kPush = R"(local weft = require "weft"
return weft.workflow { name = "push", on_failure = "notify", retry = { attempts = 2, initial = "1s" },
  run = function(ctx, input)
    ctx:step("load", function() return input.n end)
    return ctx:step("send", function()
      if input.fail then error(weft.error { kind = "Rejected", message = "CRM said no", retryable = false }) end
      return "sent"
    end)
  end }
)";

// The hook fails too when told to: its own failure must not start another hook.
const char* kNotify = R"(local weft = require "weft"
return weft.workflow { name = "notify", on_failure = "notify", run = function(ctx, input)
  if input.input.hook_fails then error("the mail server is down") end
  return ctx:step("mail", function() return "mailed about " .. input.run_id end)
end }
)";

std::vector<weft::engine::Run> runs_of(EngineFixture& f, const std::string& workflow) {
  weft::engine::RunFilter filter;
  filter.workflow = workflow;
  return f.store->runs().list_runs(filter);
}

}  // namespace

TEST_CASE("a failed run starts its on_failure workflow once, with what a notification needs", "[failure-hook]") {
  EngineFixture f;
  f.write_workflow("push", kPush);
  f.write_workflow("notify", kNotify);
  auto ok = f.start("push", {{"n", 1}});
  CHECK(f.run(ok.id).status == RunStatus::Completed);
  CHECK(runs_of(f, "notify").empty());

  auto failed = f.start("push", {{"n", 2}, {"fail", true}});
  f.settle();
  REQUIRE(f.run(failed.id).status == RunStatus::Failed);
  auto hooks = runs_of(f, "notify");
  REQUIRE(hooks.size() == 1);
  const auto& hook = hooks[0];
  CHECK(hook.status == RunStatus::Completed);
  CHECK(hook.result == "mailed about " + failed.id);
  CHECK(hook.idempotency_key == "on_failure:" + failed.id + ":0");
  CHECK(hook.parent_id.empty());
  CHECK(hook.input["run_id"] == failed.id);
  CHECK(hook.input["workflow"] == "push");
  CHECK(hook.input["status"] == "failed");
  CHECK(hook.input["error"]["kind"] == "Rejected");
  CHECK(hook.input["failed_step"] == json{{"name", "send"}, {"seq", 2}, {"attempt", 1}});
  CHECK(hook.input["input"] == json{{"n", 2}, {"fail", true}});
  CHECK(hook.input["tenant"] == "");
  CHECK(hook.input["finished_at"].get<std::string>().size() == 20);  // RFC 3339 UTC

  f.restart();  // nothing starts it again
  f.settle();
  CHECK(runs_of(f, "notify").size() == 1);
}

TEST_CASE("a redrive that fails again notifies again, and a hook's own failure starts no hook", "[failure-hook]") {
  EngineFixture f;
  f.write_workflow("push", kPush);
  f.write_workflow("notify", kNotify);
  auto failed = f.start("push", {{"fail", true}, {"hook_fails", true}});
  f.settle();
  REQUIRE(f.run(failed.id).status == RunStatus::Failed);
  auto hooks = runs_of(f, "notify");
  REQUIRE(hooks.size() == 1);
  CHECK(hooks[0].status == RunStatus::Failed);  // and no hook of the hook

  REQUIRE(f.engine->retry(failed.id) == weft::engine::RetryOutcome::Retried);
  f.settle();
  REQUIRE(f.run(failed.id).status == RunStatus::Failed);
  std::set<std::string> keys;
  for (const auto& hook : runs_of(f, "notify")) keys.insert(hook.idempotency_key);
  CHECK(keys == std::set<std::string>{"on_failure:" + failed.id + ":0", "on_failure:" + failed.id + ":1"});
}

TEST_CASE("on_failure must name a workflow, and a hook that is not loaded starts nothing", "[failure-hook]") {
  EngineFixture f;
  CHECK_THROWS_WITH(f.write_workflow("bad", R"(local weft = require "weft"
return weft.workflow { name = "bad", on_failure = 42, run = function() end })"),
                    Catch::Contains("on_failure: expected a workflow name"));
  f.write_workflow("push", kPush);  // "notify" is not loaded
  auto failed = f.start("push", {{"fail", true}});
  f.settle();
  CHECK(f.run(failed.id).status == RunStatus::Failed);
  weft::engine::RunFilter all;
  CHECK(f.store->runs().list_runs(all).size() == 1);
}
