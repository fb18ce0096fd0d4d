// weft.pipeline at run time: every entry kind, the same history as the
// equivalent hand-written body, optional steps, undo order, functions
// named "module.function", and replay after a restart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::EventKind;
using weft::engine::HistoryEvent;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

// Every entry kind but undo; `refine` fails once, `notify` always.
const char* kPipeline = R"lua(local weft = require "weft"
return weft.pipeline {
  name = "flow",
  steps = {
    { "fetch", function(ctx, s) return { id = s.input.id, score = 70 } end },
    { sleep = "10m" },
    { "refine", function(ctx, s)
        if ctx.attempt == 1 then error(weft.error { kind = "Flaky", message = "try again" }) end
        return s.fetch.score + 5
      end, retry = { attempts = 2, initial = "1s" } },
    { when = function(s) return s.refine > 50 end, steps = {
        { wait_event = "approval", timeout = "1h", as = "approval" },
        { child = "grade", input = function(s) return { score = s.refine } end, as = "grade" },
    } },
    { when = function(s) return s.refine < 0 end, steps = { { "never", function() return 1 end } } },
    { "notify", function() error(weft.error { kind = "SlackDown", message = "503" }) end,
      optional = true, retry = { attempts = 2, initial = "1s" } },
    { "store", function(ctx, s) return "stored " .. s.grade end },
  },
  result = function(s)
    return { refined = s.refine, by = s.approval.by, grade = s.grade, notify = s.notify, stored = s.store }
  end,
}
)lua";

// The same workflow written as a Lua body.
const char* kByHand = R"lua(local weft = require "weft"
return weft.workflow {
  name = "flow_by_hand",
  run = function(ctx, input)
    local s = { input = input }
    s.fetch = ctx:step("fetch", function() return { id = s.input.id, score = 70 } end)
    ctx:sleep("10m")
    s.refine = ctx:step("refine", { retry = { attempts = 2, initial = "1s" } }, function()
      if ctx.attempt == 1 then error(weft.error { kind = "Flaky", message = "try again" }) end
      return s.fetch.score + 5
    end)
    if s.refine > 50 then
      s.approval = ctx:wait_event("approval", { timeout = "1h" })
      s.grade = ctx:child("grade", { score = s.refine })
    end
    local ok, err = pcall(ctx.step, ctx, "notify", { retry = { attempts = 2, initial = "1s" } },
                          function() error(weft.error { kind = "SlackDown", message = "503" }) end)
    s.notify = ok and err or { ok = false, error = { kind = err.kind, message = err.message } }
    s.store = ctx:step("store", function() return "stored " .. s.grade end)
    return { refined = s.refine, by = s.approval.by, grade = s.grade, notify = s.notify, stored = s.store }
  end,
}
)lua";

const char* kGrade = R"lua(local weft = require "weft"
return weft.workflow { name = "grade", run = function(ctx, input)
  return ctx:step("grade", function() return input.score >= 70 and "A" or "B" end)
end })lua";

// What two runs must share: every event's position, kind, name, status,
// times from the run's start, result and error (kind and message:
// tracebacks name their files).
json comparable(EngineFixture& f, const weft::engine::Run& run) {
  json out = json::array();
  for (const auto& e : f.history(run.id)) {
    json error = e.error.is_null() ? json() : json{{"kind", e.error["kind"]}, {"message", e.error["message"]}};
    out.push_back({{"seq", e.seq}, {"path", e.path}, {"attempt", e.attempt},
                   {"kind", to_string(e.kind)}, {"name", e.name}, {"status", to_string(e.status)},
                   {"started", e.started_at - run.created_at},
                   {"fires", e.fire_at ? e.fire_at - run.created_at : 0}, {"result", e.result},
                   {"error", error}});
  }
  return out;
}

// Runs `workflow` through the flow: 10 minutes, a retry, the approval.
weft::engine::Run run_flow(EngineFixture& f, const std::string& workflow) {
  auto run = f.start(workflow, {{"id", 7}});
  f.advance(600'000);  // the sleep
  f.advance(1'000);    // refine's second attempt
  REQUIRE(f.run(run.id).status == RunStatus::Waiting);
  f.engine->deliver_event(run.id, "approval", {{"by", "kim"}});
  f.settle();
  f.advance(1'000);  // notify's second attempt
  return f.run(run.id);
}

}  // namespace

TEST_CASE("a pipeline and the equivalent Lua body write the same history", "[pipeline]") {
  EngineFixture f;
  f.write_workflow("flow", kPipeline);
  f.write_workflow("flow_by_hand", kByHand);
  f.write_workflow("grade", kGrade);
  auto piped = run_flow(f, "flow");
  auto by_hand = run_flow(f, "flow_by_hand");
  INFO(piped.error.dump());
  REQUIRE(piped.status == RunStatus::Completed);
  REQUIRE(by_hand.status == RunStatus::Completed);
  CHECK(piped.result == by_hand.result);
  CHECK(piped.result == json{{"refined", 75}, {"by", "kim"}, {"grade", "A"}, {"stored", "stored A"},
                             {"notify", {{"ok", false}, {"error", {{"kind", "SlackDown"}, {"message", "503"}}}}}});
  json history = comparable(f, piped);
  CHECK(history == comparable(f, by_hand));
  std::vector<std::string> calls;
  for (const auto& e : history) calls.push_back(e["kind"].get<std::string>() + ":" + e["name"].get<std::string>());
  CHECK(calls == std::vector<std::string>{"step:fetch", "sleep:sleep", "step:refine", "step:refine",
                                          "wait_event:approval", "child:grade", "step:notify",
                                          "step:notify", "step:store"});
}

TEST_CASE("a pipeline's calls record its weft.pipeline call as their source location", "[pipeline]") {
  EngineFixture f;
  f.write_workflow("flow", kPipeline);
  f.write_workflow("grade", kGrade);
  auto run = run_flow(f, "flow");
  REQUIRE(run.status == RunStatus::Completed);
  auto history = f.history(run.id);
  REQUIRE(!history.empty());
  for (const auto& event : history) CHECK(event.location == "flow.lua:2");  // `return weft.pipeline {`
}

TEST_CASE("a pipeline replays its history after a restart", "[pipeline]") {
  EngineFixture f;
  f.write_workflow("flow", kPipeline);
  f.write_workflow("grade", kGrade);
  auto run = f.start("flow", {{"id", 7}});
  f.restart();  // parked in its sleep: the next resume replays fetch
  f.advance(600'000);
  f.advance(1'000);
  f.engine->deliver_event(run.id, "approval", {{"by", "kim"}});
  f.settle();
  f.advance(1'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  int fetches = 0;
  for (const auto& e : f.history(run.id)) fetches += e.name == "fetch";
  CHECK(fetches == 1);
  CHECK(done.result["stored"] == "stored A");
}

TEST_CASE("a pipeline's result defaults to its state, a child's input too", "[pipeline]") {
  EngineFixture f;
  f.write_workflow("echo", R"lua(local weft = require "weft"
return weft.workflow { name = "echo", run = function(ctx, input) return input end })lua");
  f.write_workflow("plain", R"lua(local weft = require "weft"
return weft.pipeline { name = "plain", steps = {
  { "a", function(ctx, s) return s.input.x * 2 end },
  { "b", function(ctx, s) return s.a + 1 end, optional = true },
  { wait_event = "never", timeout = "1m" },
  { child = "echo" },
} })lua");
  auto run = f.start("plain", {{"x", 20}});
  f.advance(60'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  json before_child = {{"input", {{"x", 20}}}, {"a", 40}, {"b", 41}};  // no "never": it timed out
  json expected = before_child;
  expected["echo"] = before_child;
  CHECK(done.result == expected);
}

TEST_CASE("undo functions of a failed pipeline run in reverse order", "[pipeline]") {
  EngineFixture f;
  f.write_workflow("trip", R"lua(local weft = require "weft"
local function cancel(ctx, s, booking) return "cancelled " .. booking .. " of " .. s.input.who end
return weft.pipeline { name = "trip", retry = { attempts = 1 }, steps = {
  { "flight", function() return "F1" end, undo = cancel },
  { "note", function() return "no undo" end },
  { "hotel", function() return "H1" end, undo = cancel },
  { "car", function() error(weft.error { kind = "Unavailable", message = "no car" }) end, undo = cancel },
} })lua");
  auto run = f.start("trip", {{"who", "ada"}});
  auto ended = f.run(run.id);
  REQUIRE(ended.status == RunStatus::Compensated);
  CHECK(ended.error["message"] == "no car");
  std::vector<std::string> undone;
  for (const auto& e : f.history(run.id))
    if (e.kind == EventKind::Compensation) undone.push_back(e.name + " -> " + e.result.get<std::string>());
  CHECK(undone == std::vector<std::string>{"undo:hotel -> cancelled H1 of ada",
                                           "undo:flight -> cancelled F1 of ada"});
}

TEST_CASE("pipeline functions named module.function resolve from the workflows folder", "[pipeline]") {
  EngineFixture f;
  std::ofstream(f.dir.path() / "workflows" / "lead_fns.lua") << R"lua(
local fns = {}
function fns.double(ctx, s) return s.input.n * 2 end
function fns.big(s) return s.double > 10 end
function fns.child_input(s) return { score = s.double * 10 } end
function fns.summary(s) return { double = s.double, grade = s.grade } end
return fns
)lua";
  f.write_workflow("grade", kGrade);
  f.write_workflow("named", R"lua(local weft = require "weft"
return weft.pipeline { name = "named", steps = {
  { "double", "lead_fns.double" },
  { when = "lead_fns.big", steps = { { child = "grade", input = "lead_fns.child_input" } } },
}, result = "lead_fns.summary" })lua");
  auto small = f.run(f.start("named", {{"n", 3}}).id);
  REQUIRE(small.status == RunStatus::Completed);
  CHECK(small.result == json{{"double", 6}});
  auto big = f.run(f.start("named", {{"n", 6}}).id);
  REQUIRE(big.status == RunStatus::Completed);
  CHECK(big.result == json{{"double", 12}, {"grade", "A"}});
}

TEST_CASE("parallel and map entries run as ctx:all and ctx:map, with the same history as the"
          " hand-written body",
          "[pipeline]") {
  EngineFixture f;
  f.write_workflow("fan", R"lua(local weft = require "weft"
return weft.pipeline {
  name = "fan",
  steps = {
    { "leads", function(ctx, s) return { "ada", "bob", "cy" } end },
    { parallel = {
        { "crm", function() return "crm-ok" end },
        { { sleep = "1m" }, { "slack", function() return "slack-ok" end } },
    } },
    { map = "state.leads", concurrency = 2, each = {
        { "score", function(ctx, s) return #s.item * s.index end },
        { when = function(s) return s.score > 3 end, steps = { { "flag", function() return true end } } },
    } },
  },
  result = function(s)
    local scores = {}
    for i, item in ipairs(s.leads_results) do scores[i] = item.score end
    return { crm = s.crm, slack = s.slack, scores = scores, flagged = s.leads_results[3].flag == true }
  end,
}
)lua");
  f.write_workflow("fan_by_hand", R"lua(local weft = require "weft"
return weft.workflow {
  name = "fan_by_hand",
  run = function(ctx, input)
    local s = { input = input }
    s.leads = ctx:step("leads", function() return { "ada", "bob", "cy" } end)
    ctx:all {
      function() s.crm = ctx:step("crm", function() return "crm-ok" end) end,
      function() ctx:sleep("1m"); s.slack = ctx:step("slack", function() return "slack-ok" end) end,
    }
    s.leads_results = ctx:map(s.leads, function(item, i)
      local t = { item = item, index = i }
      t.score = ctx:step("score", function() return #t.item * t.index end)
      if t.score > 3 then t.flag = ctx:step("flag", function() return true end) end
      return t
    end, { concurrency = 2 })
    local scores = {}
    for i, item in ipairs(s.leads_results) do scores[i] = item.score end
    return { crm = s.crm, slack = s.slack, scores = scores, flagged = s.leads_results[3].flag == true }
  end,
}
)lua");
  auto piped = f.start("fan");
  f.advance(60'000);
  auto by_hand = f.start("fan_by_hand");
  f.advance(60'000);
  piped = f.run(piped.id);
  by_hand = f.run(by_hand.id);
  INFO(piped.error.dump());
  REQUIRE(piped.status == RunStatus::Completed);
  REQUIRE(by_hand.status == RunStatus::Completed);
  CHECK(piped.result == json{{"crm", "crm-ok"}, {"slack", "slack-ok"}, {"scores", {3, 6, 6}}, {"flagged", true}});
  CHECK(piped.result == by_hand.result);
  std::vector<std::string> piped_calls, by_hand_calls;
  for (const auto& e : f.history(piped.id)) piped_calls.push_back(e.path + " " + e.name);
  for (const auto& e : f.history(by_hand.id)) by_hand_calls.push_back(e.path + " " + e.name);
  CHECK(piped_calls == by_hand_calls);
  CHECK(std::find(piped_calls.begin(), piped_calls.end(), "3/3/2 flag") != piped_calls.end());
}
