// weft replay through the real binary: unchanged code replays with no
// divergence and no side effect (a fake provider counts the requests);
// edits are reported at the right position with both sides' file:line;
// a run in flight replays up to where it stands; many runs at once.
// Script versions include the folder modules a workflow requires.
#include <catch2/catch.hpp>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;

namespace {

// Runs `file` to its end as run `id`.
void run_to_end(const weft::testing::WeftCli& weft, const std::string& file, const std::string& id,
                const std::string& input = "{}") {
  auto r = weft({"run", file, "--id", id, "--input", input});
  INFO(r.err);
  REQUIRE(r.exit_code <= 1);
}

// `weft replay ARGS --json`, expecting `expected_exit`; its report.
json replay(const weft::testing::WeftCli& weft, std::vector<std::string> args, int expected_exit) {
  args.insert(args.begin(), "replay");
  args.push_back("--json");
  auto r = weft(args);
  INFO(r.err);
  INFO(r.out);
  REQUIRE(r.exit_code == expected_exit);
  return json::parse(r.out);
}

// Four durable calls: two steps calling the provider, a recorded time,
// and a child.
std::string sync_workflow(const std::string& url) {
  return R"(local weft = require "weft"
local http = require "weft.http"
return weft.workflow { name = "sync", run = function(ctx, input)
  local contacts = ctx:step("fetch", function()
    return http.get(")" + url + R"(/contacts"):json()
  end)
  local at = ctx:now()
  local pushed = ctx:step("push", function()
    return http.post(")" + url + R"(/push", { json = contacts }).status
  end)
  local note = ctx:child("notify", { n = #contacts })
  return { count = #contacts, pushed = pushed, note = note, at = at > 0 }
end }
)";
}

const char* kNotify = R"(local weft = require "weft"
return weft.workflow { name = "notify", run = function(ctx, input)
  return "sent " .. input.n
end }
)";

struct Provider {
  Provider() {
    server.on("GET", "/contacts", [](const auto&) {
      return FakeResponse::json(200, json::array({{{"id", 1}}, {{"id", 2}}}));
    });
    server.on("POST", "/push", [](const auto&) { return FakeResponse::json(201, json::object()); });
  }
  FakeServer server;
};

}  // namespace

TEST_CASE("weft replay of unchanged code finds no divergence and calls nothing", "[e2e][replay]") {
  weft::testing::WeftCli weft;
  Provider provider;
  std::string file = weft.write("flows/sync.lua", sync_workflow(provider.server.url("")));
  weft.write("flows/notify.lua", kNotify);
  run_to_end(weft, file, "run-1");
  REQUIRE(provider.server.requests().size() == 2);

  json report = replay(weft, {"run-1"}, 0);
  CHECK(report["diverged"] == false);
  CHECK(report["replayed"] == 4);
  CHECK(report["position"].is_null());
  CHECK(report["result_differs"] == false);
  CHECK(report["outcome"] == "completed");
  CHECK(report["result"]["count"] == 2);
  CHECK(provider.server.requests().size() == 2);  // nothing executed again

  auto text = weft({"replay", "run-1"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("replayed 4 durable calls: no divergence") &&
                           Catch::Contains("ends as the run did (completed)"));
  // Nothing was written: the history is what the run recorded.
  CHECK(weft({"history", "run-1", "--json"}).out.find("\"seq\": 5") == std::string::npos);
}

TEST_CASE("weft replay reports each kind of edit at its position with both file:line",
          "[e2e][replay]") {
  weft::testing::WeftCli weft;
  Provider provider;
  std::string url = provider.server.url("");
  std::string original = sync_workflow(url);
  std::string file = weft.write("flows/sync.lua", original);
  weft.write("flows/notify.lua", kNotify);
  weft.write("flows/other.lua", R"(local weft = require "weft"
return weft.workflow { name = "other", run = function() return 1 end }
)");
  run_to_end(weft, file, "run-1");
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  struct Edit {
    const char* what;
    std::string code;
    json position;
    const char* recorded;  // kind:name at file:line
    const char* current;
  };
  std::vector<Edit> edits = {
      {"a renamed step", replace(original, R"(ctx:step("push")", R"(ctx:step("upload")"), 3,
       "step:push@sync.lua:8", "step:upload@sync.lua:8"},
      {"a step added before a recorded one",
       replace(original, "  local at = ctx:now()\n",
               "  local at = ctx:now()\n  ctx:step(\"audit\", function() return 1 end)\n"),
       3, "step:push@sync.lua:8", "step:audit@sync.lua:8"},
      {"two calls swapped",
       replace(replace(original, "  local at = ctx:now()\n", ""), "  local note",
               "  local at = ctx:now()\n  local note"),
       2, "now:now@sync.lua:7", "step:push@sync.lua:7"},
      {"a sleep replacing a step",
       replace(original, R"(local contacts = ctx:step("fetch", function())",
               R"(ctx:sleep("1s"); local contacts = (function())"),
       1, "step:fetch@sync.lua:4", "sleep:sleep@sync.lua:4"},
      {"another child workflow", replace(original, R"(ctx:child("notify")", R"(ctx:child("other")"), 4,
       "child:notify@sync.lua:11", "child:other@sync.lua:11"},
  };
  for (const auto& edit : edits) {
    SECTION(edit.what) {
      std::string candidate = weft.write("candidate/sync.lua", edit.code);
      weft.write("candidate/notify.lua", kNotify);
      weft.write("candidate/other.lua", "local weft = require 'weft'\n"
                                        "return weft.workflow { name = 'other', run = function() end }\n");
      json report = replay(weft, {"run-1", "--script", candidate}, 1);
      CHECK(report["diverged"] == true);
      CHECK(report["position"] == edit.position);
      auto side = [](const json& call) {
        return call["kind"].get<std::string>() + ":" + call["name"].get<std::string>() + "@" +
               call["location"].get<std::string>();
      };
      CHECK(side(report["recorded"]) == edit.recorded);
      CHECK(side(report["current"]) == edit.current);
      CHECK(report["result_differs"] == true);
      auto text = weft({"replay", "run-1", "--script", candidate});
      CHECK(text.exit_code == 1);
      CHECK_THAT(text.out, Catch::Contains("diverged") && Catch::Contains("recorded: ") &&
                               Catch::Contains("current:  ") && Catch::Contains(" > "));
      CHECK(provider.server.requests().size() == 2);  // the replay called nothing
    }
  }
}

TEST_CASE("weft replay of a run in flight stops where it stands, and --latest reads the folder",
          "[e2e][replay]") {
  weft::testing::WeftCli weft;
  std::string file = weft.write("flows/approve.lua", R"(local weft = require "weft"
return weft.workflow { name = "approve", run = function(ctx, input)
  local draft = ctx:step("draft", function() return "v1" end)
  local answer = ctx:wait_event("approval")
  return { draft = draft, by = answer.by }
end }
)");
  REQUIRE(weft({"start", file, "--id", "waiting"}).exit_code == 0);
  REQUIRE(weft({"resume", "--workflows", (weft.dir.path() / "flows").string()}).exit_code == 0);

  json report = replay(weft, {"waiting"}, 0);
  CHECK(report["diverged"] == false);
  CHECK(report["replayed"] == 2);  // the step, and the wait it is parked in
  CHECK(report["outcome"].is_null());

  // The folder's file changes under the run: --latest replays the new code.
  weft.write("flows/approve.lua", R"(local weft = require "weft"
return weft.workflow { name = "approve", run = function(ctx, input)
  local draft = ctx:step("draft_v2", function() return "v2" end)
  return { draft = draft }
end }
)");
  report = replay(weft, {"waiting", "--latest"}, 1);
  CHECK(report["position"] == 1);
  CHECK(report["current"]["name"] == "draft_v2");
  CHECK(replay(weft, {"waiting"}, 0)["diverged"] == false);  // its own version is kept
  CHECK(weft({"replay", "waiting", "--latest", "--script", file}).exit_code == 2);
  CHECK(weft({"replay", "nope"}).exit_code == 2);
}

TEST_CASE("weft replay --workflow replays many runs and groups them by divergence", "[e2e][replay]") {
  weft::testing::WeftCli weft;
  // Two steps: `a` returns `a_body`, then `b_name` doubles it.
  auto count = [](const std::string& a_body, const std::string& b_name, const std::string& b_body) {
    return "local weft = require 'weft'\n"
           "return weft.workflow { name = 'count', run = function(ctx, input)\n"
           "  local a = ctx:step('a', function() " + a_body + " end)\n"
           "  return ctx:step('" + b_name + "', function() " + b_body + " end)\n"
           "end }\n";
  };
  std::string file = weft.write("flows/count.lua", count("return input.n", "b", "return a * 2"));
  for (int n = 1; n <= 3; ++n)
    run_to_end(weft, file, "run-" + std::to_string(n), "{\"n\":" + std::to_string(n) + "}");
  std::string never = "error('never called on replay')";
  std::string same = weft.write("same/count.lua", count(never, "b", never));
  json summary = replay(weft, {"--workflow", "count", "--script", same}, 0);
  CHECK(summary["replayed"] == 3);
  CHECK(summary["diverged"] == 0);
  CHECK(summary["result_differs"] == 0);

  std::string renamed = weft.write("renamed/count.lua", count("return input.n", "double", "return a * 2"));
  summary = replay(weft, {"--workflow", "count", "--script", renamed, "--status", "completed"}, 1);
  CHECK(summary["replayed"] == 3);
  CHECK(summary["diverged"] == 3);
  REQUIRE(summary["divergences"].size() == 1);
  CHECK(summary["divergences"][0]["position"] == 2);
  CHECK(summary["divergences"][0]["runs"] == 3);
  CHECK(summary["divergences"][0]["current"]["name"] == "double");
  CHECK(weft({"replay", "--workflow", "count"}).exit_code == 2);  // no candidate given
}

TEST_CASE("a run keeps the folder modules of its version when they are edited", "[e2e][replay]") {
  weft::testing::WeftCli weft;
  std::string flows = (weft.dir.path() / "flows").string();
  weft.write("flows/pricing.lua", "return { rate = function() return 10 end }\n");
  std::string file = weft.write("flows/quote.lua", R"(local weft = require "weft"
local pricing = require "pricing"
return weft.workflow { name = "quote", run = function(ctx, input)
  local before = ctx:step("before", function() return pricing.rate() end)
  ctx:wait_event("go")
  return { before = before, after = ctx:step("after", function() return pricing.rate() end) }
end }
)");
  REQUIRE(weft({"start", file, "--id", "old"}).exit_code == 0);
  REQUIRE(weft({"resume", "--workflows", flows}).exit_code == 0);
  weft.write("flows/pricing.lua", "return { rate = function() return 99 end }\n");  // edited mid-run
  REQUIRE(weft({"start", file, "--id", "new"}).exit_code == 0);
  REQUIRE(weft({"event", "old", "go"}).exit_code == 0);
  REQUIRE(weft({"event", "new", "go"}).exit_code == 0);
  REQUIRE(weft({"resume", "--workflows", flows}).exit_code == 0);
  auto runs = json::parse(weft({"runs", "--json"}).out);
  std::map<std::string, json> by_id;
  for (const auto& run : runs) by_id[run["id"]] = run;
  CHECK(by_id["old"]["result"] == json({{"before", 10}, {"after", 10}}));  // its version's module
  CHECK(by_id["new"]["result"] == json({{"before", 99}, {"after", 99}}));
  CHECK(by_id["old"]["script_hash"] != by_id["new"]["script_hash"]);
}

TEST_CASE("a folder module required only inside the run function is refused with how to fix it",
          "[e2e][replay]") {
  weft::testing::WeftCli weft;
  weft.write("flows/helper.lua", "return { value = 1 }\n");
  std::string file = weft.write("flows/lazy.lua", R"(local weft = require "weft"
return weft.workflow { name = "lazy", run = function(ctx)
  return require("helper").value
end }
)");
  auto r = weft({"run", file});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("module 'helper' is not part of this run's script version") &&
                        Catch::Contains("top of the workflow file"));
}
