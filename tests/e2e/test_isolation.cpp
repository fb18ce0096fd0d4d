// Issue 10, isolation between runs: the attacks found against a shared Lua
// state, replayed against a real `weft serve` with one worker (so every run
// shares that worker's state) — each must stay inside the run that tried it.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::Server;
using weft::testing::ServeOptions;

namespace {

// Tries every rewrite of shared code that worked before issue 10; reports
// which raised. Its own writes (rawset on its _G, its own module copies)
// may succeed: they must not reach another run.
const char* kAttacker = R"(local weft = require "weft"
local shared = require "shared"
local function evil() return "PWNED" end
return weft.workflow { name = "attacker", run = function(ctx)
  local tried = {}
  local function try(name, fn) tried[name] = (pcall(fn)) end
  ctx:step("p", function()
    try("string.upper", function() string.upper = evil end)
    try("rawset string", function() rawset(string, "upper", evil) end)
    try("string metatable", function() getmetatable("").__index = { upper = evil } end)
    try("table.concat", function() table.concat = evil end)
    try("math.floor", function() math.floor = evil end)
    try("package.loaded.string", function() package.loaded.string.lower = evil end)
    try("global tostring", function() tostring = evil end)
    try("setmetatable _G", function() setmetatable(_G, nil) end)
    try("finaliser", function() setmetatable({}, { __gc = function() while true do end end }) end)
  end)
  -- Writes to its own environment: allowed, and private.
  rawset(_G, "tostring", evil)
  rawset(_G, "stash", "from the attacker")
  local secrets = require "weft.secrets"
  local get = secrets.get
  secrets.get = function(name) rawset(_G, "stolen", name) return get(name) end
  require("weft.json").encode = evil
  shared.kept = ctx
  return tried
end })";

const char* kVictim = R"(local weft = require "weft"
local shared = require "shared"
return weft.workflow { name = "victim", run = function(ctx)
  return {
    upper = ("abc"):upper(), upper_fn = string.upper("abc"), lower = string.lower("ABC"),
    concat = table.concat({ "a", "b" }, ","), floor = math.floor(1.5), tostring = tostring(7),
    json = require("weft.json").encode({ 1 }),
    stash = rawget(_G, "stash") or "none",
    stolen = rawget(_G, "stolen") or "none",
    kept_ctx = shared.kept ~= nil,
  }
end })";

// A module of the workflows folder: one table per run that requires it.
const char* kShared = R"(return {})";

// File-level state: each run gets its own closures of the file.
const char* kCounter = R"(local weft = require "weft"
local count = 0
local kept
return weft.workflow { name = "counter", run = function(ctx, input)
  count = count + 1
  local had_kept = kept ~= nil
  if had_kept then kept:sleep("1h") end
  kept = ctx
  return { count = count, had_kept = had_kept, tenant = input.tenant }
end })";

json run_and_wait(Server& server, const std::string& workflow, const std::string& input = "{}") {
  auto reply = request("POST", server.url("/v1/workflows/" + workflow + "/runs?wait=20s"), input);
  REQUIRE(reply.status == 200);
  return reply.json_body();
}

Server one_worker(std::map<std::string, std::string> workflows) {
  ServeOptions options;
  options.args = {"--workers", "1"};
  options.workflows = std::move(workflows);
  return Server(options);
}

}  // namespace

TEST_CASE("issue 10: a run cannot rewrite what another run executes", "[e2e][isolation]") {
  Server server = one_worker({{"attacker", kAttacker}, {"victim", kVictim}, {"shared", kShared}});

  auto attacker = run_and_wait(server, "attacker");
  REQUIRE(attacker["status"] == "completed");
  for (const auto& [attack, succeeded] : attacker["result"].items()) {
    INFO(attack);
    CHECK(succeeded == false);
  }
  CHECK(attacker["result"].size() == 9);

  auto victim = run_and_wait(server, "victim");
  REQUIRE(victim["status"] == "completed");
  CHECK(victim["result"] == json{{"upper", "ABC"},     {"upper_fn", "ABC"},
                                 {"lower", "abc"},     {"concat", "a,b"},
                                 {"floor", 1},         {"tostring", "7"},
                                 {"json", "[1]"},      {"stash", "none"},
                                 {"stolen", "none"}, {"kept_ctx", false}});
  // The same workflow again: its own earlier run left nothing either.
  auto again = run_and_wait(server, "attacker");
  CHECK(again["status"] == "completed");
}

TEST_CASE("issue 10: file-level state and a kept ctx stay in their run", "[e2e][isolation]") {
  Server server = one_worker({{"counter", kCounter}});
  for (const char* tenant : {"acme", "globex", "acme"}) {
    auto run = run_and_wait(server, "counter", std::string(R"({"tenant":")") + tenant + "\"}");
    INFO(run.dump());
    CHECK(run["status"] == "completed");
    CHECK(run["result"]["count"] == 1);
    CHECK(run["result"]["had_kept"] == false);
    auto history = request("GET", server.url("/v1/runs/" + run["id"].get<std::string>() + "/history"));
    CHECK(history.json_body()["history"].empty());  // no sleep injected by an earlier run
  }
}

TEST_CASE("issue 10: a finaliser is refused, and the run goes on", "[e2e][isolation]") {
  const char* kFinaliser = R"(local weft = require "weft"
return weft.workflow { name = "finaliser", budget = { instructions = 1000000 },
  run = function(ctx)
    local ok, err = pcall(setmetatable, {}, { __gc = function() while true do end end })
    collectgarbage()
    local mt = {}
    local t = setmetatable({}, mt)
    mt.__gc = function() while true do end end  -- added later: never a finaliser
    t = nil
    collectgarbage()
    return { refused = not ok, message = tostring(err), string_meta = getmetatable("") }
  end })";
  Server server = one_worker({{"finaliser", kFinaliser}});
  auto run = run_and_wait(server, "finaliser");
  REQUIRE(run["status"] == "completed");
  CHECK(run["result"]["refused"] == true);
  CHECK(run["result"]["message"].get<std::string>().find("__gc") != std::string::npos);
  CHECK(run["result"]["string_meta"] == "protected");
  CHECK(request("GET", server.url("/healthz")).status == 200);
}

TEST_CASE("issue 10: webhook event functions share nothing across routes or calls",
          "[e2e][isolation][webhook]") {
  const char* kRouteA = R"(local weft = require "weft"
return weft.workflow { name = "route_a",
  on = { weft.webhook { path = "/hooks/a", verify = false, event = function(req)
    pcall(function() string.lower = function() return "PWNED" end end)
    rawset(_G, "planted", "A was here")
    return { planted = true }
  end } },
  run = function(ctx, input) return input end })";
  const char* kRouteB = R"(local weft = require "weft"
local calls = 0
return weft.workflow { name = "route_b",
  on = { weft.webhook { path = "/hooks/b", verify = false, event = function(req)
    calls = calls + 1
    return { lower = string.lower("ABC"), planted = rawget(_G, "planted") or "none", calls = calls }
  end } },
  run = function(ctx, input) return input end })";
  ServeOptions options;
  options.workflows = {{"route_a", kRouteA}, {"route_b", kRouteB}};
  Server server(options);
  auto post = [&](const std::string& path) {
    auto reply = request("POST", server.url(path), "{}", "", {"Content-Type: application/json"});
    REQUIRE(reply.status == 202);
    return reply.json_body()["run_id"].get<std::string>();
  };
  post("/hooks/a");
  for (int i = 0; i < 3; ++i) {
    std::string id = post("/hooks/b");
    json run = server.await_status(id, "completed");
    CHECK(run["input"] == json{{"lower", "abc"}, {"planted", "none"}, {"calls", 1}});
  }
}
