// weft test through the real binary: test files beside workflows, run on
// a virtual clock with mocked HTTP; failures printed with file:line and a
// readable diff; unmatched requests failing the test and never reaching
// the network; --filter and --junit; a repro bundle used as a fixture.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/weft_cli.hpp"

using weft::testing::FakeResponse;
using weft::testing::FakeServer;
using weft::testing::ProcessResult;
using weft::testing::run_command;
using weft::testing::WeftCli;

namespace {

ProcessResult weft_test(std::vector<std::string> args) {
  args.insert(args.begin(), {WEFT_BINARY, "test"});
  return run_command(args);
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Sleeps ten minutes, then posts to `url` with the workflow's retry policy
// (five attempts, backoff from 1 s): three failures cost 1 + 2 + 4 s.
std::string notify_workflow(const std::string& url) {
  return R"(local weft = require "weft"
local http = require "weft.http"
return weft.workflow {
  name = "notify",
  retry = { attempts = 5, initial = "1s", backoff = 2.0 },
  run = function(ctx, input)
    ctx:sleep("10m")
    return ctx:step("post", function()
      return http.post(")" + url + R"(", { json = { text = input.text }, raise = true }):json()
    end)
  end,
}
)";
}

}  // namespace

TEST_CASE("weft test runs a test file and shows a failure with its line and a diff", "[e2e][weft-test]") {
  WeftCli files;
  files.write("flows/pair.lua", R"(local weft = require "weft"
return weft.workflow { name = "pair", run = function(ctx, input)
  return { a = ctx:step("double", function() return input.n * 2 end), tags = { "x" } }
end }
)");
  std::string tests = files.write("flows/pair_test.lua", R"(local test = require "weft.test"
test.case("doubles", function(t)
  local run = t:start("pair", { n = 1 })
  test.eq(run:result(), { a = 2, tags = { "x" } })
end)
test.case("a wrong expectation", function(t)
  local run = t:start("pair", { n = 1 })
  test.eq(run:result(), { a = 1, tags = { "x" } })
end)
)");
  auto result = weft_test({tests});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("ok   " + tests + ": doubles (") != std::string::npos);
  CHECK(result.out.find("FAIL " + tests + ": a wrong expectation (") != std::string::npos);
  CHECK(result.out.find(tests + ":8: expected {a = 1, tags = {\"x\"}} got {a = 2, tags = {\"x\"}} at .a") !=
        std::string::npos);
  CHECK(result.out.find("1 passed, 1 failed\n") != std::string::npos);
}

TEST_CASE("weft test skips a ten-minute sleep and three retry backoffs (a timeout, two 503s), and no request leaves the process",
          "[e2e][weft-test]") {
  FakeServer provider;  // would answer 200: a mock that leaked would pass the test
  provider.on("POST", "/hook", [](const auto&) { return FakeResponse::json(200, {{"ok", "real"}}); });
  WeftCli files;
  files.write("flows/notify.lua", notify_workflow(provider.url("/hook")));
  std::string tests = files.write("flows/notify_test.lua", R"(local test = require "weft.test"
test.case("three failures, then the answer", function(t)
  local timeout = t:mock_http { method = "POST", url = "http://127.0.0.1:*/hook", error = "timeout", times = 1 }
  local failing = t:mock_http { method = "POST", url = "http://127.0.0.1:*/hook", status = 503, times = 2 }
  local answer = t:mock_http { method = "POST", url = "http://127.0.0.1:*/hook", json = { ok = "mocked" } }
  local started = t:now()
  local run = t:start("notify", { text = "hi" })
  test.eq(run:status(), "sleeping")
  test.eq(run:wait(), "completed")
  test.eq(run:result(), { ok = "mocked" })
  test.eq({ timeout:count(), failing:count() }, { 1, 2 })
  test.eq(answer:calls()[1].json, { text = "hi" })
  test.eq(t:now() - started, (600 + 1 + 2 + 4) * 1000)
  local attempts = {}
  for _, event in ipairs(run:history()) do
    if event.name == "post" then attempts[#attempts + 1] = event.status end
  end
  test.eq(attempts, { "retrying", "retrying", "retrying", "completed" })
end)
test.case("a request no mock matches fails the test", function(t)
  local run = t:start("notify", { text = "hi" })
  t:advance("10m")
end)
)");
  auto result = weft_test({tests});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("ok   " + tests + ": three failures, then the answer") != std::string::npos);
  CHECK(result.out.find(tests + ":22: no t:mock_http matches POST " + provider.url("/hook")) != std::string::npos);
  CHECK(result.out.find("1 passed, 1 failed") != std::string::npos);
  CHECK(provider.requests().empty());
}

TEST_CASE("weft test delivers events, fires wait timeouts and mocks steps", "[e2e][weft-test]") {
  WeftCli files;
  files.write("flows/approval.lua", R"(local weft = require "weft"
return weft.workflow { name = "approval", retry = { attempts = 3, initial = "30s" }, run = function(ctx, input)
  local checked = ctx:step("check", function() return "real" end)
  local decision, why = ctx:wait_event("approve", { timeout = "1h" })
  if decision == nil then return { outcome = why, checked = checked } end
  return { outcome = decision.by, checked = checked }
end }
)");
  std::string tests = files.write("flows/approval_test.lua", R"(local test = require "weft.test"
test.case("an event ends the wait", function(t)
  local run = t:start("approval")
  test.eq(run:wait(), "waiting")
  run:send("approve", { by = "kim" })
  test.eq(run:result(), { outcome = "kim", checked = "real" })
end)
test.case("the timeout fires when the clock passes it", function(t)
  local run = t:start("approval")
  t:advance("59m")
  test.eq(run:status(), "waiting")
  t:advance("1m")
  test.eq(run:result(), { outcome = "timeout", checked = "real" })
end)
test.case("a mocked step fails twice, then answers", function(t)
  local failing = t:mock_step("check", { error = "flaky", times = 2 })
  local answer = t:mock_step("check", { result = "mocked" })
  local run = t:start("approval")
  run:wait()
  test.eq(failing:calls(), 2)
  test.eq(answer:calls(), 1)
  run:send("approve", { by = "ana" })
  test.eq(run:result(), { outcome = "ana", checked = "mocked" })
end)
test.case("a final mocked failure fails the run", function(t)
  t:mock_step("check", { error = { kind = "Denied", message = "no", retryable = false } })
  local run = t:start("approval")
  test.eq(run:status(), "failed")
  test.eq(run:error().kind, "Denied")
  test.raises(function() run:send("approve") end, "has ended")
end)
)");
  auto result = weft_test({tests});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("4 passed, 0 failed") != std::string::npos);
}

TEST_CASE("weft test fires cron schedules, waits out rate limits and times runs out on the virtual clock",
          "[e2e][weft-test]") {
  WeftCli files;
  files.write("flows/nightly.lua", R"(local weft = require "weft"
return weft.workflow { name = "nightly", on = { weft.cron "0 2 * * *" },
  run = function(ctx, input) return ctx:step("sync", function() return "synced" end) end }
)");
  files.write("flows/limited.lua", R"(local weft = require "weft"
return weft.workflow { name = "limited", limits = { crm = { rate = 1, per = "1m" } },
  run = function(ctx, input)
    for i = 1, 3 do ctx:acquire("crm") end
    return ctx:now()
  end }
)");
  files.write("flows/slow.lua", R"(local weft = require "weft"
return weft.workflow { name = "slow", timeout = "30m", run = function(ctx, input)
  ctx:sleep("1h")
  return "woke"
end }
)");
  std::string tests = files.write("flows/timers_test.lua", R"(local test = require "weft.test"
test.case("cron fires only once schedules are enabled, each at its time", function(t)
  t:advance("1d")
  test.eq(#t:runs { workflow = "nightly" }, 0)
  t:enable_schedules()
  t:advance("3d")
  local runs = t:runs { workflow = "nightly", status = "completed" }
  test.eq(#runs, 3)
  test.eq(runs[1]:result(), "synced")
end)
test.case("a rate limit of one a minute admits the third call two minutes later", function(t)
  local started = t:now()
  local run = t:start("limited")
  test.eq(run:status(), "sleeping")
  test.eq(run:wait(), "completed")
  test.eq(run:result() - started / 1000, 120, "ctx:now() in seconds: the third call admitted 2 minutes in")
end)
test.case("a workflow timeout ends a run that sleeps past it", function(t)
  local run = t:start("slow")
  t:advance("29m")
  test.eq(run:status(), "sleeping")
  t:advance("1m")
  test.eq(run:status(), "failed")
  test.eq(run:error().kind, "timeout")
end)
)");
  auto result = weft_test({tests});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("3 passed, 0 failed") != std::string::npos);
}

TEST_CASE("a failed run starts its on_failure workflow once, seen from weft test", "[e2e][weft-test][failure-hook]") {
  WeftCli files;
  files.write("flows/push.lua", R"(local weft = require "weft"
return weft.workflow { name = "push", on_failure = "notify", retry = { attempts = 3, initial = "10s" },
  run = function(ctx, input)
    return ctx:step("send", function() error(weft.error { kind = "Unavailable", message = "CRM down" }) end)
  end }
)");
  files.write("flows/notify.lua", R"(local weft = require "weft"
local http = require "weft.http"
return weft.workflow { name = "notify", run = function(ctx, input)
  return ctx:step("post", function()
    return http.post("https://hooks.slack.com/services/x", { json = { text = input.workflow .. " " .. input.run_id
      .. " failed at " .. input.failed_step.name .. ": " .. input.error.message } }).status
  end)
end }
)");
  std::string tests = files.write("flows/push_test.lua", R"(local test = require "weft.test"
test.case("the dead letter is announced once", function(t)
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", body = "ok" }
  local run = t:start("push", { id = 7 }, { tenant = "acme" })
  test.eq(run:wait(), "failed")
  local hooks = t:runs { workflow = "notify" }
  test.eq(#hooks, 1)
  test.eq(hooks[1]:wait(), "completed")
  test.eq(hooks[1]:record().tenant, "acme")
  test.eq(slack:calls()[1].json, { text = "push " .. run.id .. " failed at send: CRM down" })
end)
)");
  auto result = weft_test({tests});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("1 passed, 0 failed") != std::string::npos);
}

TEST_CASE("weft test --filter runs the matching tests and --junit writes their report", "[e2e][weft-test]") {
  WeftCli files;
  files.write("flows/hello.lua", R"(local weft = require "weft"
return weft.workflow { name = "hello", run = function(ctx, input) return "hi " .. input.name end }
)");
  std::string tests = files.write("flows/hello_test.lua", R"(local test = require "weft.test"
test.case("greets ada", function(t) test.eq(t:start("hello", { name = "ada" }):result(), "hi ada") end)
test.case("greets <bob>", function(t) test.eq(t:start("hello", { name = "bob" }):result(), "hi ada") end)
test.case("other", function(t) test.fail("must not run") end)
)");
  std::string report = (files.dir.path() / "report.xml").string();
  auto result = weft_test({(files.dir.path() / "flows").string(), "--filter", "greets", "--junit", report});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("other") == std::string::npos);
  CHECK(result.out.find("1 passed, 1 failed") != std::string::npos);
  std::string xml = read(report);
  CHECK(xml.find("<testsuite name=\"" + tests + "\" tests=\"2\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("name=\"greets ada\"") != std::string::npos);
  CHECK(xml.find("name=\"greets &lt;bob&gt;\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"" + tests + ":3: expected &quot;hi ada&quot; got &quot;hi bob&quot;\"") !=
        std::string::npos);
}

TEST_CASE("weft test reports a file that does not load, and a folder with no tests", "[e2e][weft-test]") {
  WeftCli files;
  std::string broken = files.write("flows/broken_test.lua", "local test = require 'weft.test'\ntest.case('x', ");
  auto result = weft_test({broken});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("FAIL " + broken + ": (load)") != std::string::npos);
  CHECK(result.out.find(broken + ":2:") != std::string::npos);

  files.write("empty/readme.txt", "no tests here");
  auto none = weft_test({(files.dir.path() / "empty").string()});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no *_test.lua files") != std::string::npos);
  CHECK(weft_test({(files.dir.path() / "missing").string()}).exit_code == 2);
}

TEST_CASE("weft test continues a repro bundle of a failed run on the fixed code", "[e2e][weft-test]") {
  // A run fails in production at its validation step; its bundle becomes
  // the fixture of a test of the fix.
  WeftCli production;
  std::string broken = production.write("prod/sync.lua", R"(local weft = require "weft"
local http = require "weft.http"
return weft.workflow { name = "sync", run = function(ctx, input)
  local items = ctx:step("load", function() return input.items end)
  local valid = ctx:step("validate", function()
    for _, item in ipairs(items) do
      if item < 0 then error(weft.error { kind = "Invalid", message = "negative item", retryable = false }) end
    end
    return items
  end)
  return ctx:step("push", function()
    return http.post("https://crm.example.com/items", { json = valid, raise = true }).status
  end)
end }
)");
  REQUIRE(production({"run", broken, "--id", "run-4812", "--input", R"({"items":[3,-1,4]})"}).exit_code == 1);
  std::string bundle = (production.dir.path() / "fix/fixtures/run-4812.json").string();
  production.write("fix/fixtures/.keep", "");
  REQUIRE(production({"export", "run-4812", "--output", bundle}).exit_code == 0);

  std::string fixed = read(broken);
  fixed.replace(fixed.find("if item < 0 then error(weft.error { kind = \"Invalid\", message = \"negative item\", "
                           "retryable = false }) end"),
                std::string("if item < 0 then error(weft.error { kind = \"Invalid\", message = \"negative item\", "
                            "retryable = false }) end").size(),
                "");
  fixed.replace(fixed.find("return items"), std::string("return items").size(),
                "local kept = {}\n    for _, item in ipairs(items) do if item >= 0 then kept[#kept + 1] = item end "
                "end\n    return kept");
  production.write("fix/sync.lua", fixed);
  std::string tests = production.write("fix/sync_test.lua", R"(local test = require "weft.test"
test.case("run 4812 replays on the fix and its fork pushes the valid items", function(t)
  local recorded = t:import("fixtures/run-4812.json")
  test.eq(recorded:status(), "failed")
  local report = recorded:replay()
  test.eq(report.diverged, false)
  local crm = t:mock_http { method = "POST", url = "https://crm.example.com/items", status = 201 }
  local fork = recorded:fork(2)
  test.eq(fork:wait(), "completed")
  test.eq(fork:result(), 201)
  test.eq(crm:calls()[1].json, { 3, 4 })
end)
)");
  auto result = weft_test({tests});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("1 passed, 0 failed") != std::string::npos);
}
