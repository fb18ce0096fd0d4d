// Sagas: undo steps run in reverse order when the run fails; a failing
// undo leaves the run failed with both errors.
#include <catch2/catch.hpp>

#include "tests/support/engine_fixture.hpp"

using weft::engine::EventKind;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

const char* kTrip = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "trip",
  retry = { attempts = 2, initial = "1s" },
  run = function(ctx, input)
    local saga = ctx:saga()
    for _, what in ipairs({ "flight", "hotel", "car" }) do
      saga:step("book_" .. what, function()
        if input.fail_at == what then error(weft.error { kind = "Unavailable", message = "no " .. what }) end
        return what .. "-1"
      end, { undo = function(booking)
        if input.undo_fails == what then error("cannot cancel " .. booking) end
        return "cancelled " .. booking
      end, undo_retry = { attempts = 1 } })
    end
    return "booked"
  end,
}
)lua";

}  // namespace

TEST_CASE("a failed saga undoes its completed steps in reverse order", "[engine][saga]") {
  EngineFixture f;
  f.write_workflow("trip", kTrip);
  auto run = f.start("trip", {{"fail_at", "car"}});
  f.advance(1'000);  // book_car's second attempt
  auto ended = f.run(run.id);
  REQUIRE(ended.status == RunStatus::Compensated);
  CHECK(ended.error["message"] == "no car");
  std::vector<std::string> undone;
  for (const auto& e : f.history(run.id))
    if (e.kind == EventKind::Compensation) {
      undone.push_back(e.name);
      CHECK(e.result == "cancelled " + e.name.substr(10) + "-1");
    }
  CHECK(undone == std::vector<std::string>{"undo:book_hotel", "undo:book_flight"});
}

TEST_CASE("a saga that succeeds undoes nothing", "[engine][saga]") {
  EngineFixture f;
  f.write_workflow("trip", kTrip);
  auto run = f.start("trip");
  auto done = f.run(run.id);
  CHECK(done.status == RunStatus::Completed);
  for (const auto& e : f.history(run.id)) CHECK(e.kind != EventKind::Compensation);
}

TEST_CASE("a failing undo leaves the run failed with both errors", "[engine][saga]") {
  EngineFixture f;
  f.write_workflow("trip", kTrip);
  auto run = f.start("trip", {{"fail_at", "car"}, {"undo_fails", "hotel"}});
  f.advance(1'000);
  auto ended = f.run(run.id);
  REQUIRE(ended.status == RunStatus::Failed);
  CHECK(ended.error["kind"] == "compensation_failed");
  CHECK(ended.error["error"]["message"] == "no car");
  CHECK_THAT(ended.error["compensation_error"]["message"].get<std::string>(),
             Catch::Contains("cannot cancel hotel-1"));
}

TEST_CASE("compensation resumes by replay after a restart", "[engine][saga]") {
  EngineFixture f;
  f.write_workflow("trip", kTrip);
  auto run = f.start("trip", {{"fail_at", "car"}});
  f.restart();
  f.advance(1'000);
  CHECK(f.run(run.id).status == RunStatus::Compensated);
}
