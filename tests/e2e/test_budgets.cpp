// Budgets with real processes (issue 10, item 6): work done inside C
// library calls (a backtracking pattern, a trim of a long body) fails the
// run or the webhook's event call at the budget while the server goes on
// answering, and SIGTERM ends `weft serve` within its grace period even
// when a worker thread is stuck in a resume no budget stops.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::run_command;
using weft::testing::Server;
using weft::testing::TempDir;

namespace {

// 200 'a's against a*a*...a*b: about 200^8 steps of backtracking.
const char* kCatastrophic = R"(local weft = require "weft"
return weft.workflow { name = "catastrophic", budget = { instructions = 100000 },
  run = function(ctx, input)
    return { found = string.match(string.rep("a", 200), string.rep("a*", 8) .. "b") ~= nil }
  end })";

// The same with only the clock to stop it.
const char* kCatastrophicWall = R"(local weft = require "weft"
return weft.workflow { name = "catastrophic_wall",
  budget = { instructions = 1000000000000000, wall = "1s" },
  run = function(ctx, input)
    return { found = string.match(string.rep("a", 200), string.rep("a*", 8) .. "b") ~= nil }
  end })";

const char* kHostileEvents = R"(local weft = require "weft"
return weft.workflow { name = "hostile_events",
  on = {
    weft.webhook { path = "/hooks/backtrack", verify = false, event = function(req)
      return { found = req.body:match(string.rep("a*", 8) .. "b") ~= nil }
    end },
    weft.webhook { path = "/hooks/trim", verify = false, event = function(req)
      return { trimmed = #req.body:match("^%s*(.-)%s*$") }
    end },
  },
  run = function(ctx, input) return input end })";

// A resume that runs for an hour: neither budget stops it in a test's time.
const char* kStuck = R"(local weft = require "weft"
return weft.workflow { name = "stuck",
  budget = { instructions = 1000000000000000, wall = "1h" },
  run = function(ctx, input) while true do end end })";

weft::testing::ProcessResult weft_run(const TempDir& dir, const std::string& file,
                                      const std::string& source) {
  auto path = dir.path() / (file + ".lua");
  std::ofstream(path) << source;
  return run_command({WEFT_BINARY, "run", path.string(), "--db", (dir.path() / "weft.db").string()});
}

weft::testing::Reply post_text(const Server& server, const std::string& path, const std::string& body) {
  return request("POST", server.url(path), body, "", {"Content-Type: text/plain"});
}

}  // namespace

TEST_CASE("issue 10: a backtracking pattern fails its run at the instruction budget",
          "[e2e][budgets]") {
  TempDir dir;
  auto r = weft_run(dir, "catastrophic", kCatastrophic);  // bounded: run_command's timeout
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("instruction limit exceeded"));
}

TEST_CASE("issue 10: a backtracking pattern fails its run at the wall-clock budget",
          "[e2e][budgets]") {
  TempDir dir;
  auto r = weft_run(dir, "catastrophic_wall", kCatastrophicWall);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("wall-clock limit exceeded"));
}

TEST_CASE("issue 10: hostile patterns in a webhook event answer an error and the server answers on",
          "[e2e][budgets][webhooks]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"hostile_events", kHostileEvents}};
  Server server(options);

  SECTION("a backtracking pattern, with /healthz polled while it is in flight") {
    auto hostile = std::async(std::launch::async, [&] {
      return post_text(server, "/hooks/backtrack", std::string(200, 'a'));
    });
    for (int poll = 0; poll < 20; ++poll) CHECK(request("GET", server.url("/healthz")).status == 200);
    auto answer = hostile.get();
    CHECK(answer.status == 500);
    CHECK(answer.json_body()["error"]["code"] == "webhook_event_failed");
    CHECK_THAT(answer.body, Catch::Contains("instruction limit exceeded"));
  }

  SECTION("a trim of a 1 MB body with spaces inside") {
    std::string body = "x" + std::string(999'998, ' ') + "x";
    auto hostile = std::async(std::launch::async, [&] { return post_text(server, "/hooks/trim", body); });
    for (int poll = 0; poll < 20; ++poll) CHECK(request("GET", server.url("/healthz")).status == 200);
    auto answer = hostile.get();
    CHECK(answer.status == 500);
    CHECK_THAT(answer.body, Catch::Contains("limit exceeded"));
    // The same route still maps a short body, and starts its run.
    auto fine = post_text(server, "/hooks/trim", "  lead  ");
    CHECK(fine.status == 202);
  }

  CHECK(request("GET", server.url("/healthz")).status == 200);
  CHECK(server.serve->terminate().exit_code == 0);
}

TEST_CASE("issue 10: SIGTERM ends weft serve within its grace period with a worker stuck",
          "[e2e][budgets][shutdown]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"stuck", kStuck}};
  options.args = {"--shutdown-grace", "2s"};
  Server server(options);
  auto started = request("POST", server.url("/v1/workflows/stuck/runs"), "{}");
  REQUIRE(started.status / 100 == 2);
  std::string id = started.json_body()["id"];
  server.await_status(id, "running");

  ::kill(server.process->pid(), SIGTERM);
  auto ended = server.process->wait(std::chrono::seconds(30));  // bounded; -1 if it hung
  CHECK(ended.exit_code == 3);
  CHECK_THAT(ended.err, Catch::Contains("the grace period is over") && Catch::Contains(id));
}
