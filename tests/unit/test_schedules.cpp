// Cron schedules driven by a manual clock: each fire starts one run with its
// scheduled time, missed fires are caught up per catch_up, overlapping fires
// per overlap, and no fire is ever started twice, across restarts and
// processes sharing the database.
#include <catch2/catch.hpp>

#include <algorithm>

#include "stdlib/run_services.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

// The manual clock starts at 2027-01-15T08:00:00Z.
std::string scheduled(const std::string& trigger, const std::string& body = "return input.scheduled_at") {
  return "local weft = require 'weft'\nreturn weft.workflow { name = 'scheduled', on = { " + trigger +
         " },\nrun = function(ctx, input)\n" + body + "\nend }\n";
}

// Scheduled times of every run, in order (runs made in one tick share a
// creation time, so their listing order is not theirs).
std::vector<std::string> scheduled_times(EngineFixture& f) {
  std::vector<std::string> times;
  for (const auto& run : f.store->runs().list_runs({})) times.push_back(run.input["scheduled_at"]);
  std::sort(times.begin(), times.end());
  return times;
}

}  // namespace

TEST_CASE("a schedule starts one run per fire with its scheduled time", "[schedules]") {
  EngineFixture f;
  f.write_workflow("scheduled", scheduled("weft.cron '*/10 * * * * *'"));
  f.engine->tick_schedules();  // a new schedule starts from now
  CHECK(f.store->runs().list_runs({}).empty());
  f.advance(10'000);
  f.engine->tick_schedules();
  f.engine->tick_schedules();  // the same fire again: nothing new
  f.settle();
  auto runs = f.store->runs().list_runs({});
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == RunStatus::Completed);
  CHECK(runs[0].result == "2027-01-15T08:00:10Z");
  f.advance(10'000);
  f.engine->tick_schedules();
  CHECK(scheduled_times(f) == std::vector<std::string>{"2027-01-15T08:00:10Z", "2027-01-15T08:00:20Z"});
}

TEST_CASE("fires missed while nothing ran are caught up per catch_up", "[schedules]") {
  auto [catch_up, expected] = GENERATE(table<std::string, std::vector<std::string>>({
      {"none", {}},
      {"latest", {"2027-01-15T10:00:00Z"}},
      {"all", {"2027-01-15T09:00:00Z", "2027-01-15T10:00:00Z"}},
  }));
  CAPTURE(catch_up);
  EngineFixture f;
  // overlap = allow: runs caught up together do not skip one another.
  f.write_workflow("scheduled", scheduled("weft.cron { '0 0 * * * *', overlap = 'allow', catch_up = '" +
                                          catch_up + "' }"));
  f.engine->tick_schedules();
  f.advance(150 * 60'000);  // down from 08:00 to 10:30
  f.engine->tick_schedules();
  CHECK(scheduled_times(f) == expected);
}

TEST_CASE("fires that came due while the process ticked late all start, whatever catch_up", "[schedules]") {
  auto catch_up = GENERATE(std::string("none"), std::string("latest"), std::string("all"));
  CAPTURE(catch_up);
  EngineFixture f;
  f.write_workflow("scheduled", scheduled("weft.cron { '*/10 * * * * *', overlap = 'allow', catch_up = '" +
                                          catch_up + "' }"));
  f.engine->tick_schedules();
  f.advance(35'000);  // a busy process: the next tick comes 35 s late
  f.engine->tick_schedules();
  CHECK(scheduled_times(f) ==
        std::vector<std::string>{"2027-01-15T08:00:10Z", "2027-01-15T08:00:20Z", "2027-01-15T08:00:30Z"});
  f.advance(4'000);
  f.engine->tick_schedules();  // 08:00:39: nothing new, and nothing twice
  CHECK(scheduled_times(f).size() == 3);
}

TEST_CASE("overlapping fires are skipped, buffered or allowed", "[schedules]") {
  // Fires at :10, :20, :30 while the first run sleeps for an hour; then
  // the first run ends and the next tick (09:00:30) runs.
  auto [overlap, runs_before_end, started_after_end] =
      GENERATE(table<std::string, size_t, std::vector<std::string>>({
          {"skip", 1, {"2027-01-15T09:00:30Z"}},
          {"buffer_one", 1, {"2027-01-15T08:00:30Z"}},  // the buffered fire; 09:00:30 waits for it
          {"allow", 3, {"2027-01-15T09:00:30Z"}},
      }));
  CAPTURE(overlap);
  EngineFixture f;
  f.write_workflow("scheduled", scheduled("weft.cron { '*/10 * * * * *', overlap = '" + overlap + "' }",
                                          "ctx:sleep('1h')\nreturn input.scheduled_at"));
  f.engine->tick_schedules();
  for (int i = 0; i < 3; ++i) {  // fires at :10, :20, :30 while the first run sleeps
    f.advance(10'000);
    f.engine->tick_schedules();
  }
  CHECK(f.store->runs().list_runs({}).size() == runs_before_end);
  f.advance(3'600'000);  // the first run ends
  f.engine->tick_schedules();
  auto times = scheduled_times(f);
  REQUIRE(times.size() == runs_before_end + started_after_end.size());
  CHECK(times.back() == started_after_end.back());
}

TEST_CASE("a fire is started once across restarts and processes sharing the database",
          "[schedules]") {
  EngineFixture f;
  f.write_workflow("scheduled", scheduled("weft.cron '*/10 * * * * *'"));
  f.engine->tick_schedules();
  f.advance(10'000);
  weft::engine::EngineOptions options;  // a second process on the same database
  options.workers = 1;
  options.background = false;
  options.run_schedules = true;
  options.executors = weft::stdlib::lua_executors(*f.catalog, f.secret_keys.get());
  weft::engine::Engine other(*f.store, *f.catalog, f.clock, options);
  other.tick_schedules();
  f.engine->tick_schedules();
  f.restart();
  f.engine->tick_schedules();
  other.wait_idle();
  f.settle();
  CHECK(scheduled_times(f) == std::vector<std::string>{"2027-01-15T08:00:10Z"});
}

TEST_CASE("bad schedules are refused when the file loads, naming the field", "[schedules]") {
  EngineFixture f;
  auto [trigger, fragment] = GENERATE(table<std::string, std::string>({
      {"weft.cron '61 * * * *'", "minute"},
      {"weft.cron { '* * * * *', zone = 'Mars/Olympus' }", "Mars/Olympus"},
      {"weft.cron { '* * * * *', overlap = 'queue' }", "overlap"},
      {"weft.cron { '* * * * *', catch_up = 'some' }", "catch_up"},
  }));
  CAPTURE(trigger);
  CHECK_THROWS_WITH(f.write_workflow("scheduled", scheduled(trigger)), Catch::Contains(fragment));
}
