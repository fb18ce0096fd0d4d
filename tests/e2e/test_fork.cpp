// weft fork and weft retry --latest through the real binary, and their
// HTTP forms: a fork from a middle step on fixed code reuses the earlier
// results (the fake provider sees only the calls made again), a dry run
// changes nothing, a fork whose copied history diverges is refused; the
// newcomer's case — a fixed validation step — completes with retry
// --latest where a plain retry fails again.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;
using weft::testing::WeftCli;

namespace {

// fetch (GET /contacts) -> transform (the bug: `transform_body`) -> push
// (POST /push, with ctx.step_key as its Idempotency-Key).
std::string contacts_workflow(const std::string& url, const std::string& transform_body) {
  return R"(local weft = require "weft"
local http = require "weft.http"
return weft.workflow { name = "contacts", run = function(ctx, input)
  local contacts = ctx:step("fetch", function() return http.get(")" + url + R"(/contacts"):json() end)
  local names = ctx:step("transform", function()
    )" + transform_body + R"(
  end)
  local status = ctx:step("push", function()
    return http.post(")" + url + R"(/push", { json = names,
      headers = { ["Idempotency-Key"] = ctx.step_key } }).status
  end)
  return { names = names, status = status }
end }
)";
}

const char* kBuggy = "local out = {} for _, c in ipairs(contacts) do out[#out + 1] = c.nmae end return out";
const char* kFixed = "local out = {} for _, c in ipairs(contacts) do out[#out + 1] = c.name end return out";

struct Provider {
  Provider() {
    server.on("GET", "/contacts", [](const auto&) {
      return FakeResponse::json(200, json::array({{{"name", "Ada"}}, {{"name", "Grace"}}}));
    });
    server.on("POST", "/push", [](const auto&) { return FakeResponse::json(201, json::object()); });
  }
  FakeServer server;
};

json run_json(const WeftCli& weft, const std::string& id) {
  for (const auto& run : json::parse(weft({"runs", "--json"}).out))
    if (run["id"] == id) return run;
  FAIL("no run " << id);
  return {};
}

}  // namespace

TEST_CASE("weft fork from a middle step on fixed code re-executes only from there", "[e2e][fork]") {
  WeftCli weft;
  Provider provider;
  std::string url = provider.server.url("");
  std::string flows = (weft.dir.path() / "flows").string();
  std::string file = weft.write("flows/contacts.lua", contacts_workflow(url, kBuggy));
  REQUIRE(weft({"run", file, "--id", "original"}).exit_code == 0);
  CHECK(run_json(weft, "original")["result"]["names"].empty());  // the bug: no names
  auto original_history = weft({"history", "original", "--json"}).out;

  std::string fixed = weft.write("fixed/contacts.lua", contacts_workflow(url, kFixed));
  auto preview = weft({"fork", "original", "--from-step", "2", "--script", fixed, "--dry-run", "--json"});
  INFO(preview.err);
  REQUIRE(preview.exit_code == 0);
  json plan = json::parse(preview.out);
  CHECK(plan["fork"].is_null());
  CHECK(plan["replayed"] == 1);
  REQUIRE(plan["calls_again"].size() == 2);
  CHECK(plan["calls_again"][0]["name"] == "transform");
  CHECK(plan["calls_again"][0]["idempotency_key"] == false);
  CHECK(plan["calls_again"][1]["name"] == "push");
  CHECK(plan["calls_again"][1]["side_effects"] == true);
  CHECK(plan["calls_again"][1]["idempotency_key"] == true);  // it passes ctx.step_key
  CHECK(plan["check"]["diverged"] == false);
  CHECK(json::parse(weft({"runs", "--json"}).out).size() == 1);  // the dry run created nothing

  auto forked = weft({"fork", "original", "--from-step", "2", "--script", fixed});
  INFO(forked.err);
  REQUIRE(forked.exit_code == 0);
  std::string fork_id = forked.out.substr(0, forked.out.find('\n'));
  REQUIRE(weft({"resume", "--workflows", flows}).exit_code == 0);
  json fork = run_json(weft, fork_id);
  CHECK(fork["status"] == "completed");
  CHECK(fork["result"]["names"] == json({"Ada", "Grace"}));
  CHECK(fork["forked_from"] == json({{"run", "original"}, {"seq", 2}}));
  CHECK(provider.server.request_count("/contacts") == 1);  // fetch was reused
  CHECK(provider.server.request_count("/push") == 2);      // push ran again, for the fork
  auto pushes = provider.server.requests();
  CHECK(pushes.back().headers["idempotency-key"] == fork_id + ":3");
  // The original is untouched; its forks are listed by lineage.
  CHECK(weft({"history", "original", "--json"}).out == original_history);
  auto forks = json::parse(weft({"runs", "--json", "--forked-from", "original"}).out);
  REQUIRE(forks.size() == 1);
  CHECK(forks[0]["id"] == fork_id);
}

TEST_CASE("a fork whose copied history diverges on the new code is refused unless forced",
          "[e2e][fork]") {
  WeftCli weft;
  Provider provider;
  std::string url = provider.server.url("");
  std::string file = weft.write("flows/contacts.lua", contacts_workflow(url, kBuggy));
  REQUIRE(weft({"run", file, "--id", "original"}).exit_code == 0);
  std::string renamed = contacts_workflow(url, kFixed);
  renamed.replace(renamed.find("\"fetch\""), 7, "\"load\"");
  std::string candidate = weft.write("renamed/contacts.lua", renamed);

  auto refused = weft({"fork", "original", "--from-step", "3", "--script", candidate});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("refused"));
  CHECK_THAT(refused.out, Catch::Contains("step 'fetch'") && Catch::Contains("step 'load'"));
  CHECK(json::parse(weft({"runs", "--json"}).out).size() == 1);

  auto forced = weft({"fork", "original", "--from-step", "3", "--script", candidate, "--force"});
  CHECK(forced.exit_code == 0);
  CHECK(json::parse(weft({"runs", "--json"}).out).size() == 2);
  CHECK(weft({"fork", "original", "--from-step", "9"}).exit_code == 2);
  CHECK(weft({"fork", "original"}).exit_code == 2);
}

TEST_CASE("weft fork from a branch path replays the branch calls recorded before it",
          "[e2e][fork]") {
  WeftCli weft;
  std::string flows = (weft.dir.path() / "flows").string();
  std::string file = weft.write("flows/fan.lua", R"(local weft = require "weft"
return weft.workflow { name = "fan", run = function(ctx, input)
  local seed = ctx:step("seed", function() return input.seed end)
  local parts = ctx:all {
    function() return ctx:step("left", function() return seed + 1 end) end,
    function()
      local a = ctx:step("right_a", function() return seed + 2 end)
      return ctx:step("right_b", function() return a * 10 end)
    end,
  }
  return parts
end }
)");
  REQUIRE(weft({"run", file, "--id", "fan", "--input", R"({"seed":1})"}).exit_code == 0);
  auto forked = weft({"fork", "fan", "--from-step", "2/2/2", "--json"});
  INFO(forked.err);
  REQUIRE(forked.exit_code == 0);
  json plan = json::parse(forked.out);
  CHECK(plan["from"]["path"] == "2/2/2");
  std::string fork_id = plan["fork"];
  REQUIRE(weft({"resume", "--workflows", flows}).exit_code == 0);
  json fork = run_json(weft, fork_id);
  CHECK(fork["status"] == "completed");
  CHECK(fork["result"] == json({2, 30}));
  auto history = json::parse(weft({"history", fork_id, "--json"}).out);
  int executed_again = 0;
  for (const auto& event : history) executed_again += event["path"] == "2/2/2" ? 1 : 0;
  CHECK(executed_again == 1);
}

TEST_CASE("weft retry --latest completes the newcomer's run after a fix where plain retry fails",
          "[e2e][fork]") {
  WeftCli weft;
  Provider provider;
  std::string url = provider.server.url("");
  std::string flows = (weft.dir.path() / "flows").string();
  std::string strict = "for _, c in ipairs(contacts) do if not c.email then error('contact without email') end end return {}";
  std::string file = weft.write("flows/contacts.lua", contacts_workflow(url, strict));
  REQUIRE(weft({"run", file, "--id", "newcomer"}).exit_code == 1);
  weft.write("flows/contacts.lua", contacts_workflow(url, kFixed));  // the fix

  REQUIRE(weft({"retry", "newcomer"}).exit_code == 0);  // on the old code: fails again
  weft({"resume", "--workflows", flows});
  CHECK(run_json(weft, "newcomer")["status"] == "failed");

  auto retried = weft({"retry", "newcomer", "--latest"});
  INFO(retried.err);
  REQUIRE(retried.exit_code == 0);
  REQUIRE(weft({"resume", "--workflows", flows}).exit_code == 0);
  json run = run_json(weft, "newcomer");
  CHECK(run["status"] == "completed");
  CHECK(run["result"]["names"] == json({"Ada", "Grace"}));
  CHECK(provider.server.request_count("/contacts") == 1);  // never fetched again

  // A "fix" that renames a recorded step cannot take a run over.
  weft.write("flows/contacts.lua", contacts_workflow(url, strict));
  REQUIRE(weft({"run", file, "--id", "second"}).exit_code == 1);
  weft.write("flows/contacts.lua", R"(local weft = require "weft"
return weft.workflow { name = "contacts", run = function(ctx) return ctx:step("load", function() return 1 end) end }
)");
  auto refused = weft({"retry", "second", "--latest"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("refused") && Catch::Contains("step 'load'"));
  CHECK(run_json(weft, "second")["status"] == "failed");
}

TEST_CASE("the replay, fork and retry-on-version endpoints", "[e2e][fork][api]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"steps", R"(local weft = require "weft"
return weft.workflow { name = "steps", run = function(ctx, input)
  local a = ctx:step("a", function() return input.n end)
  local b = ctx:step("b", function() if a > 1 then error("too big") end return a end)
  return { a = a, b = b }
end }
)"}};
  weft::testing::Server server(options);
  using weft::testing::request;
  auto started = request("POST", server.url("/v1/workflows/steps/runs?wait=20s"), R"({"n":2})");
  REQUIRE(started.status == 200);
  std::string id = started.json_body()["id"];
  REQUIRE(started.json_body()["status"] == "failed");

  auto replayed = request("POST", server.url("/v1/runs/" + id + "/replay"), "{}");
  REQUIRE(replayed.status == 200);
  CHECK(replayed.json_body()["diverged"] == false);
  CHECK(replayed.json_body()["replayed"] == 2);
  CHECK(request("POST", server.url("/v1/runs/" + id + "/replay"), R"({"version":"nope"})").status == 404);

  auto dry = request("POST", server.url("/v1/runs/" + id + "/fork"),
                     R"({"from_step": 1, "input": {"n": 1}, "dry_run": true})");
  REQUIRE(dry.status == 200);
  CHECK(dry.json_body()["input_changed"] == true);
  CHECK(dry.json_body()["calls_again"].size() == 2);
  // From step 1 with another input: both steps run again, on it.
  auto made = request("POST", server.url("/v1/runs/" + id + "/fork"), R"({"from_step": 1, "input": {"n": 1}})");
  REQUIRE(made.status == 201);
  std::string fork_id = made.json_body()["fork"]["id"];
  auto fork = server.await_status(fork_id, "completed");
  CHECK(fork["result"] == json({{"a", 1}, {"b", 1}}));
  CHECK(fork["forked_from"] == json({{"run", id}, {"seq", 1}}));
  auto original = request("GET", server.url("/v1/runs/" + id)).json_body();
  CHECK(original["forks"] == json::array({fork_id}));
  CHECK(request("POST", server.url("/v1/runs/" + id + "/fork"), R"({"from_step": "x/y"})").status == 400);

  // The fix, then a redrive on the version the server serves now.
  std::ofstream(server.dir.path() / "workflows" / "steps.lua") << R"(local weft = require "weft"
return weft.workflow { name = "steps", run = function(ctx, input)
  local a = ctx:step("a", function() return input.n end)
  local b = ctx:step("b", function() return a * 100 end)
  return { a = a, b = b }
end }
)";
  REQUIRE(request("POST", server.url("/v1/admin/reload"), "").status == 200);
  auto retried = request("POST", server.url("/v1/runs/" + id + "/retry"), R"({"version":"latest"})");
  INFO(retried.body);
  REQUIRE(retried.status == 202);
  CHECK(server.await_status(id, "completed")["result"] == json({{"a", 2}, {"b", 200}}));
}
