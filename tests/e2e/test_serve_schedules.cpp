// Cron schedules in a real `weft serve`, as a user checks them: the runs a
// schedule started (GET /v1/runs?workflow=...), its next fire
// (GET /v1/workflows, `weft schedules`), across a SIGKILL and a restart on
// the same database, with two servers on one database, and with a run that
// outlasts the interval. Each run's fire time is the suffix of its
// idempotency key ("cron|EXPR|ZONE|EPOCH") and its input's `scheduled_at`.
//
// The schedules fire every second, so every wait below is a poll loop with
// a bounded number of attempts; no assertion depends on how fast it went.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "engine/schedules.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/serve_process.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::run_command;
using weft::testing::ServeProcess;
using weft::testing::TempDir;

namespace {

constexpr int kPollAttempts = 400;  // x 50 ms: 20 s at most per wait
const std::string kEverySecond = "* * * * * *";

// A workflow named `name` started by `trigger`; its run records the fire
// time in a step and returns it. With `wait_for_go`, it then waits for the
// event "go" (a run that outlasts the schedule's interval).
std::string scheduled_workflow(const std::string& name, const std::string& trigger, bool wait_for_go = false) {
  return "local weft = require 'weft'\n"
         "return weft.workflow { name = '" + name + "', on = { " + trigger + " },\n"
         "run = function(ctx, input)\n"
         "  local at = ctx:step('note', function() return input.scheduled_at end)\n" +
         (wait_for_go ? "  ctx:wait_event('go')\n" : "") +
         "  return { at = at }\n"
         "end }\n";
}

struct Folder {
  TempDir dir;
  std::filesystem::path workflows = dir.path() / "workflows";
  std::filesystem::path db = dir.path() / "weft.db";

  explicit Folder(const std::map<std::string, std::string>& sources) {
    std::filesystem::create_directories(workflows);
    for (const auto& [name, source] : sources) std::ofstream(workflows / (name + ".lua")) << source;
  }
  std::unique_ptr<ServeProcess> serve() const {
    return std::make_unique<ServeProcess>(workflows, db, std::vector<std::string>{"--workers", "2"});
  }
};

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every run of `workflow` (an empty array if the server did not answer).
json list_runs(const ServeProcess& serve, const std::string& workflow) {
  auto reply = request("GET", serve.url("/v1/runs?workflow=" + workflow + "&limit=1000"));
  if (reply.status != 200) return json::array();
  return reply.json_body()["runs"];
}

// The fire time of a run a schedule started: its idempotency key ends
// with it; -1 if the run was not started by `expr` in UTC.
int64_t fire_time(const json& run, const std::string& expr = kEverySecond) {
  std::string key = run.value("idempotency_key", "");
  std::string prefix = "cron|" + expr + "|UTC|";
  if (key.rfind(prefix, 0) != 0) return -1;
  return std::stoll(key.substr(prefix.size()));
}

int64_t last_fire(const json& runs) {
  int64_t last = -1;
  for (const auto& run : runs) last = std::max(last, fire_time(run));
  return last;
}

// Whether every run for a fire time up to `through` has completed (later
// ones may still be going: a new one starts every second).
bool completed_through(const json& runs, int64_t through) {
  for (const auto& run : runs)
    if (fire_time(run) <= through && run["status"] != "completed") return false;
  return true;
}

size_t completed(const json& runs) {
  size_t n = 0;
  for (const auto& run : runs) n += run["status"] == "completed";
  return n;
}

// Lists the runs until `done(runs)` holds, at most kPollAttempts times;
// the last listing.
template <class Done>
json poll_runs(const ServeProcess& serve, const std::string& workflow, Done done) {
  json runs = json::array();
  for (int attempt = 0; attempt < kPollAttempts; ++attempt) {
    runs = list_runs(serve, workflow);
    if (done(runs)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return runs;
}

// How many runs each fire time has; checks that every run is a
// schedule's, with the fire time in its input too.
std::map<int64_t, int> runs_per_fire(const json& runs, const std::string& expr = kEverySecond) {
  std::map<int64_t, int> count;
  for (const auto& run : runs) {
    INFO(run.dump());
    int64_t at = fire_time(run, expr);
    REQUIRE(at > 0);
    CHECK(run["input"]["scheduled_at"] == weft::engine::iso_utc(at));
    CHECK(run["input"]["schedule"] == expr);
    if (run["status"] == "completed") CHECK(run["result"]["at"] == weft::engine::iso_utc(at));
    count[at]++;
  }
  return count;
}

// No fire time has two runs.
void check_no_duplicates(const std::map<int64_t, int>& count) {
  for (const auto& [at, runs] : count) {
    INFO("fire time " << weft::engine::iso_utc(at));
    CHECK(runs == 1);
  }
}

// Every second from `from` to `to` has exactly one run.
void check_each_fire_once(const std::map<int64_t, int>& count, int64_t from, int64_t to) {
  for (int64_t at = from; at <= to; ++at) {
    INFO("fire time " << weft::engine::iso_utc(at));
    auto it = count.find(at);
    CHECK((it == count.end() ? 0 : it->second) == 1);
  }
}

}  // namespace

TEST_CASE("weft serve starts one completed run per fire of a per-second cron", "[e2e][serve][schedules]") {
  Folder folder({{"ticker", scheduled_workflow("ticker", "weft.cron '" + kEverySecond + "'")}});
  int64_t started_at = now_seconds();
  auto serve = folder.serve();

  json runs = poll_runs(*serve, "ticker", [](const json& runs) { return completed(runs) >= 2; });
  INFO(runs.dump(2));
  REQUIRE(completed(runs) >= 2);
  auto count = runs_per_fire(runs);
  CHECK(count.size() == runs.size());
  check_no_duplicates(count);
  // A schedule seen for the first time starts from now: no past fires.
  CHECK(count.begin()->first > started_at);
  CHECK(count.rbegin()->first <= now_seconds());

  auto workflows = request("GET", serve->url("/v1/workflows"));
  REQUIRE(workflows.status == 200);
  json trigger, listed = workflows.json_body()["workflows"];
  for (const auto& workflow : listed)
    if (workflow["name"] == "ticker") trigger = workflow["triggers"].at(0);
  INFO(workflows.body);
  CHECK(trigger["type"] == "cron");
  CHECK(trigger["expr"] == kEverySecond);
  CHECK(trigger["zone"] == "UTC");
  CHECK(trigger["overlap"] == "skip");
  CHECK(trigger["catch_up"] == "latest");
  REQUIRE(trigger["next_fire"].is_string());
  // RFC 3339 UTC text of equal length compares as the instants do.
  CHECK(trigger["next_fire"].get<std::string>() > weft::engine::iso_utc(count.rbegin()->first));

  CHECK(serve->terminate().exit_code == 0);
}

TEST_CASE("a weft serve restarted after a SIGKILL catches up missed fires per catch_up and never twice",
          "[e2e][serve][schedules]") {
  auto catch_up = GENERATE(as<std::string>{}, "all", "latest");
  CAPTURE(catch_up);
  // overlap = allow: caught-up runs started together do not skip one another.
  Folder folder({{"ticker", scheduled_workflow("ticker", "weft.cron { '" + kEverySecond +
                                                             "', overlap = 'allow', catch_up = '" +
                                                             catch_up + "' }")}});
  int64_t killed_at = 0;
  {
    auto first = folder.serve();
    json before = poll_runs(*first, "ticker", [](const json& runs) { return runs.size() >= 2; });
    REQUIRE(before.size() >= 2);
    killed_at = now_seconds();
    first->process().kill_hard();  // a crash: no graceful stop, runs may be in flight
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int64_t restarted_at = now_seconds();
  // Fires in [killed_at + 2, restarted_at - 1] came while no server ran
  // (the killed one may have fired up to killed_at + 1).
  int64_t missed_from = killed_at + 2, missed_to = restarted_at - 1;
  REQUIRE(missed_from <= missed_to);
  auto second = folder.serve();

  json runs = poll_runs(*second, "ticker", [&](const json& runs) {
    return last_fire(runs) >= restarted_at + 1 && completed_through(runs, restarted_at + 1);
  });
  INFO(runs.dump(2));
  REQUIRE(last_fire(runs) >= restarted_at + 1);
  // Runs in flight at the kill were finished by the restarted server.
  CHECK(completed_through(runs, restarted_at + 1));
  auto count = runs_per_fire(runs);
  check_no_duplicates(count);
  if (catch_up == "all") {
    // Every fire from the first to the last, the missed ones included.
    check_each_fire_once(count, count.begin()->first, count.rbegin()->first);
    for (const auto& run : runs) {
      int64_t at = fire_time(run);
      if (at >= missed_from && at <= missed_to) CHECK(run["created_at"].get<int64_t>() >= restarted_at * 1000);
    }
  } else {
    // Only the latest due fire starts, at the restart or later.
    for (int64_t at = missed_from; at <= missed_to; ++at) CHECK(count.count(at) == 0);
  }
  CHECK(second->terminate().exit_code == 0);
}

TEST_CASE("two weft serve processes on one database start each fire exactly once",
          "[e2e][serve][schedules]") {
  // catch_up = all and overlap = allow: every fire must start, so a fire
  // missing is as visible as a fire started twice.
  Folder folder({{"ticker", scheduled_workflow("ticker", "weft.cron { '" + kEverySecond +
                                                             "', overlap = 'allow', catch_up = 'all' }")}});
  auto first = folder.serve();
  auto second = folder.serve();
  int64_t both_up = now_seconds();

  json runs = poll_runs(*first, "ticker", [&](const json& runs) {
    return last_fire(runs) >= both_up + 3 && completed_through(runs, both_up + 3);
  });
  INFO(runs.dump(2));
  REQUIRE(last_fire(runs) >= both_up + 3);
  CHECK(completed_through(runs, both_up + 3));
  auto count = runs_per_fire(runs);
  check_no_duplicates(count);
  check_each_fire_once(count, count.begin()->first, count.rbegin()->first);
  // The other server sees the same runs (one database).
  json seen_by_second = list_runs(*second, "ticker");
  auto count_second = runs_per_fire(seen_by_second);
  for (const auto& [at, n] : count) CHECK(count_second[at] == n);

  CHECK(first->terminate().exit_code == 0);
  CHECK(second->terminate().exit_code == 0);
}

TEST_CASE("weft schedules lists each schedule with its next fire time", "[e2e][schedules][cli]") {
  Folder folder({
      {"hourly", scheduled_workflow("hourly", "weft.cron { '@hourly', overlap = 'buffer_one', catch_up = 'all' }")},
      {"leap", scheduled_workflow("leap", "weft.cron '0 0 0 30 2 *'")},  // February 30: never
  });
  auto expected_hourly = [](int64_t now) { return weft::engine::iso_utc((now / 3600 + 1) * 3600); };
  int64_t before = now_seconds();
  auto listed = run_command({WEFT_BINARY, "schedules", "--workflows", folder.workflows.string(), "--json"});
  int64_t after = now_seconds();
  INFO(listed.out << listed.err);
  REQUIRE(listed.exit_code == 0);
  json schedules = json::parse(listed.out);
  REQUIRE(schedules.size() == 2);
  json hourly, leap;
  for (const auto& schedule : schedules) (schedule["workflow"] == "hourly" ? hourly : leap) = schedule;
  CHECK(hourly["cron"] == "@hourly");
  CHECK(hourly["zone"] == "UTC");
  CHECK(hourly["overlap"] == "buffer_one");
  CHECK(hourly["catch_up"] == "all");
  REQUIRE(hourly["next_fire"].is_string());
  CHECK((hourly["next_fire"] == expected_hourly(before) || hourly["next_fire"] == expected_hourly(after)));
  CHECK(leap["workflow"] == "leap");
  CHECK(leap["next_fire"].is_null());

  // From the folder whose ./weft.db is the default database: none appears.
  auto table = run_command({"/bin/sh", "-c", "cd \"$0\" && exec \"$1\" schedules --workflows workflows",
                            folder.dir.path().string(), WEFT_BINARY});
  INFO(table.out);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("NEXT FIRE (UTC)"));
  CHECK_THAT(table.out, Catch::Contains("hourly") && Catch::Contains("@hourly"));
  CHECK((table.out.find(expected_hourly(before)) != std::string::npos ||
         table.out.find(expected_hourly(after)) != std::string::npos));
  CHECK_THAT(table.out, Catch::Contains("0 0 0 30 2 *") && Catch::Contains("never"));
  CHECK_FALSE(std::filesystem::exists(folder.db));

  // The server agrees (GET /v1/workflows).
  auto serve = folder.serve();
  auto workflows = request("GET", serve->url("/v1/workflows")).json_body()["workflows"];
  int64_t served = now_seconds();
  for (const auto& workflow : workflows) {
    INFO(workflow.dump());
    if (workflow["name"] == "hourly")
      CHECK((workflow["triggers"][0]["next_fire"] == expected_hourly(after) ||
             workflow["triggers"][0]["next_fire"] == expected_hourly(served)));
    if (workflow["name"] == "leap") CHECK(workflow["triggers"][0]["next_fire"].is_null());
  }
  CHECK(serve->terminate().exit_code == 0);
}

TEST_CASE("overlap skip: fires that come while the previous run still waits start no run",
          "[e2e][serve][schedules]") {
  Folder folder({{"gate", scheduled_workflow("gate", "weft.cron '" + kEverySecond + "'", true)}});
  auto serve = folder.serve();

  json runs = poll_runs(*serve, "gate", [](const json& runs) {
    return runs.size() >= 1 && runs[0]["status"] == "waiting";
  });
  REQUIRE(runs.size() == 1);
  REQUIRE(runs[0]["status"] == "waiting");
  std::string held = runs[0]["id"];
  int64_t held_fire = fire_time(runs[0]);
  // Let at least two more fires come while the run waits.
  for (int attempt = 0; attempt < kPollAttempts && now_seconds() < held_fire + 3; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(now_seconds() >= held_fire + 3);
  runs = list_runs(*serve, "gate");
  INFO(runs.dump(2));
  CHECK(runs.size() == 1);

  int64_t released_at = now_seconds();
  REQUIRE(request("POST", serve->url("/v1/runs/" + held + "/events/go"), "{}").status == 202);
  // The schedule goes on once the run has ended; the next run waits again.
  runs = poll_runs(*serve, "gate", [&](const json& runs) { return runs.size() >= 2; });
  REQUIRE(runs.size() >= 2);
  auto count = runs_per_fire(runs);
  check_no_duplicates(count);
  for (const auto& run : runs) {
    if (run["id"] == held) {
      CHECK(run["status"] == "completed");
      continue;
    }
    // The fires skipped while the run waited never start, even later.
    CHECK(fire_time(run) >= released_at);
  }
  auto ended = serve->terminate();
  INFO(ended.err);
  CHECK(ended.exit_code == 0);
}
