// The weft CLI as a user drives it: results on stdout, exit codes, clear
// errors for bad input and bad scripts, listings and timelines, and the
// examples with real time (retries, sleeps across a kill, events).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::Process;
using weft::testing::run_command;
using weft::testing::TempDir;

namespace {

const std::string kExamples = std::string(WEFT_SOURCE_DIR) + "/examples/";

using Cli = weft::testing::WeftCli;

}  // namespace

TEST_CASE("weft run prints the result and exits 0", "[e2e][cli]") {
  Cli weft;
  auto r = weft({"run", kExamples + "hello.lua", "--input", R"({"name":"  Ada "})"});
  CHECK(r.exit_code == 0);
  CHECK(json::parse(r.out) == json({{"greeting", "Hello, Ada!"}, {"length", 11}}));
}

TEST_CASE("weft run reads input from a file with @", "[e2e][cli]") {
  Cli weft;
  std::string input = weft.write("input.json", R"({"name":"Grace"})");
  auto r = weft({"run", kExamples + "hello.lua", "--input", "@" + input});
  CHECK(json::parse(r.out)["greeting"] == "Hello, Grace!");
}

TEST_CASE("bad input JSON is refused with exit 2 and nothing is started", "[e2e][cli]") {
  Cli weft;
  auto r = weft({"run", kExamples + "hello.lua", "--input", "{name: Ada"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--input is not valid JSON"));
  CHECK_FALSE(std::filesystem::exists(weft.db));  // refused before any database is touched
}

TEST_CASE("a script with a syntax error is refused with file:line and exit 2", "[e2e][cli]") {
  Cli weft;
  std::string file = weft.write("broken.lua", "local weft = require 'weft'\nreturn weft.workflow {\n"
                                              "  name = 'broken', run = function(ctx) return ) end }\n");
  auto r = weft({"run", file});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("broken.lua:3:"));
}

TEST_CASE("usage errors exit 2", "[e2e][cli]") {
  Cli weft;
  CHECK(weft({"run"}).exit_code == 2);
  CHECK(weft({"run", kExamples + "hello.lua", "--bogus", "1"}).exit_code == 2);
  CHECK(run_command({WEFT_BINARY, "frobnicate"}).exit_code == 2);
}

TEST_CASE("commands on stored runs name a missing database and create none", "[e2e][cli]") {
  Cli weft;  // its database does not exist yet
  for (std::vector<std::string> command : {std::vector<std::string>{"runs"},
                                           {"history", "some-run"},
                                           {"event", "some-run", "approved"},
                                           {"cancel", "some-run"},
                                           {"retry", "some-run"},
                                           {"resume"}}) {
    auto r = weft(command);
    INFO(command.front() << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no database at " + weft.db));
  }
  CHECK_FALSE(std::filesystem::exists(weft.db));
  // Once a run has created it, the same commands work.
  REQUIRE(weft({"run", kExamples + "hello.lua", "--input", R"({"name":"Ada"})"}).exit_code == 0);
  auto runs = weft({"runs", "--json"});
  CHECK(runs.exit_code == 0);
  CHECK(json::parse(runs.out).size() == 1);
}

TEST_CASE("a failed or compensated run exits 1 with its error on stderr", "[e2e][cli]") {
  Cli weft;
  auto failed = weft({"run", kExamples + "retry.lua", "--input", R"({"invalid":true})"});
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.err, Catch::Contains("ValidationError: input rejected"));
  auto compensated = weft({"run", kExamples + "saga.lua", "--input", R"({"fail_at":"hotel"})"});
  CHECK(compensated.exit_code == 1);
  CHECK_THAT(compensated.err, Catch::Contains("compensated"));
}

TEST_CASE("weft run --id of an ended run prints its recorded result and executes nothing",
          "[e2e][cli]") {
  Cli weft;
  auto first = weft({"run", kExamples + "hello.lua", "--id", "greet-1", "--input", R"({"name":"A"})"});
  REQUIRE(first.exit_code == 0);
  auto history_before = weft({"history", "greet-1", "--json"}).out;
  auto again = weft({"run", kExamples + "hello.lua", "--id", "greet-1", "--input", R"({"name":"B"})"});
  CHECK(again.exit_code == 0);
  CHECK(again.out == first.out);
  CHECK(weft({"history", "greet-1", "--json"}).out == history_before);
}

TEST_CASE("weft runs and weft history describe runs as JSON and as tables", "[e2e][cli]") {
  Cli weft;
  REQUIRE(weft({"run", kExamples + "hello.lua", "--id", "h1"}).exit_code == 0);
  auto runs = json::parse(weft({"runs", "--json"}).out);
  REQUIRE(runs.size() == 1);
  for (const char* field : {"id", "workflow", "status", "created_at", "updated_at"})
    CHECK(runs[0].contains(field));
  CHECK(runs[0]["status"] == "completed");
  CHECK(json::parse(weft({"runs", "--json", "--status", "failed"}).out).empty());
  CHECK(json::parse(weft({"runs", "--json", "--workflow", "hello"}).out).size() == 1);

  auto history = json::parse(weft({"history", "h1", "--json"}).out);
  REQUIRE(history.size() == 3);
  for (const auto& event : history) {
    for (const char* field : {"seq", "kind", "name", "attempt", "status", "started_at", "ended_at"})
      CHECK(event.contains(field));
    CHECK(event.contains("result"));
  }
  CHECK(history[1]["name"] == "greet");
  auto table = weft({"history", "h1"}).out;
  CHECK_THAT(table, Catch::Contains("SEQ") && Catch::Contains("greet") &&
                        Catch::Contains("completed") && Catch::Contains("\"Hello, world!\""));
  CHECK(weft({"history", "nope"}).exit_code == 1);
}

TEST_CASE("retries wait with backoff in real time, each attempt recorded", "[e2e][cli]") {
  Cli weft;
  auto r = weft({"run", kExamples + "retry.lua", "--id", "flaky"});
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["succeeded_on_attempt"] == 3);
  auto history = json::parse(weft({"history", "flaky", "--json"}).out);
  REQUIRE(history.size() == 4);
  CHECK(history[0]["status"] == "retrying");
  CHECK(history[1]["status"] == "retrying");
  CHECK(history[2]["status"] == "completed");
  int64_t first_gap = history[1]["started_at"].get<int64_t>() - history[0]["ended_at"].get<int64_t>();
  int64_t second_gap = history[2]["started_at"].get<int64_t>() - history[1]["ended_at"].get<int64_t>();
  CHECK(first_gap >= 200);
  CHECK(second_gap >= 400);
}

TEST_CASE("a sleep survives a kill and is not slept again from the start", "[e2e][cli]") {
  Cli weft;
  std::vector<std::string> args = {WEFT_BINARY, "run", kExamples + "sleep.lua", "--db", weft.db,
                                   "--id", "nap", "--input", R"({"seconds":2})"};
  {
    Process sleeping(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    sleeping.kill_hard();
  }
  auto parked = json::parse(weft({"runs", "--json"}).out);
  REQUIRE(parked.size() == 1);
  CHECK(parked[0]["status"] == "sleeping");
  auto before = std::chrono::steady_clock::now();
  auto resumed = run_command(args);
  auto waited = std::chrono::steady_clock::now() - before;
  CHECK(resumed.exit_code == 0);
  CHECK(json::parse(resumed.out)["slept_at_least"] == true);
  CHECK(waited < std::chrono::milliseconds(1900));  // only the rest of the 2 s
}

TEST_CASE("weft event wakes a run waiting in another process", "[e2e][cli]") {
  Cli weft;
  Process waiting({WEFT_BINARY, "run", kExamples + "wait_for_event.lua", "--db", weft.db, "--id",
                   "order-7"});
  for (int i = 0; i < 200 && weft.waiting_runs().empty(); ++i)  // until the run is parked
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  auto sent = weft({"event", "order-7", "approval", "--data", R"({"approved":true,"by":"kim"})"});
  CHECK(sent.exit_code == 0);
  auto r = waiting.wait(std::chrono::seconds(20));
  CHECK(r.exit_code == 0);
  CHECK(json::parse(r.out) == json({{"status", "approved"}, {"by", "kim"}}));
  CHECK(weft({"event", "order-7", "approval"}).exit_code == 1);  // already ended
  CHECK(weft({"event", "order-7", "approval", "--data", "{bad"}).exit_code == 2);
}

TEST_CASE("weft cancel ends a waiting run and weft run then exits 1", "[e2e][cli]") {
  Cli weft;
  Process waiting({WEFT_BINARY, "run", kExamples + "wait_for_event.lua", "--db", weft.db, "--id",
                   "order-8"});
  for (int i = 0; i < 200 && weft.waiting_runs().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  CHECK(weft({"cancel", "order-8"}).exit_code == 0);
  auto r = waiting.wait(std::chrono::seconds(20));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("cancelled"));
}
