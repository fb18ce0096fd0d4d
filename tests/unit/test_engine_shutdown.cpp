// Graceful shutdown: the step in flight finishes, the run is handed back
// to the store due at once, and a new process continues it by replay;
// past the grace period the lease is released and the step runs again.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/engine_fixture.hpp"

using weft::engine::EventStatus;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;
using namespace std::chrono_literals;

namespace {

const char* kTwoSteps = R"lua(
local weft = require 'weft'
local http = require 'weft.http'
return weft.workflow {
  name = "two_steps",
  run = function(ctx, input)
    local a = ctx:step("a", function() return http.get(input.url):json().n end)
    local b = ctx:step("b", function() return a + 1 end)
    return b
  end,
}
)lua";

void wait_for_request(const FakeServer& provider, const std::string& path) {
  for (int i = 0; i < 500 && provider.request_count(path) == 0; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(provider.request_count(path) == 1);
}

int completed_steps(EngineFixture& f, const std::string& run_id, const std::string& name) {
  int count = 0;
  for (const auto& e : f.history(run_id))
    if (e.name == name && e.status == EventStatus::Completed) ++count;
  return count;
}

}  // namespace

TEST_CASE("shutdown lets the step in flight finish and hands the run back for another process",
          "[engine][shutdown]") {
  FakeServer provider;
  provider.on("GET", "/slow", [](const auto&) { return FakeResponse::json(200, {{"n", 41}}).after(300ms); });
  EngineFixture f;
  f.write_workflow("two_steps", kTwoSteps);
  auto run = f.engine->start_run("two_steps", {{"url", provider.url("/slow")}});
  wait_for_request(provider, "/slow");

  CHECK(f.engine->shutdown(5s));
  auto handed_back = f.run(run.id);
  CHECK(handed_back.status == RunStatus::Pending);
  CHECK(handed_back.lease_owner.empty());
  CHECK(completed_steps(f, run.id, "a") == 1);
  CHECK(completed_steps(f, run.id, "b") == 0);

  f.restart();
  f.settle();
  auto finished = f.run(run.id);
  CHECK(finished.status == RunStatus::Completed);
  CHECK(finished.result == 42);
  CHECK(provider.request_count("/slow") == 1);  // step a replayed, not run again
}

TEST_CASE("a step still running when the grace period ends is released and runs again elsewhere",
          "[engine][shutdown]") {
  FakeServer provider;
  provider.on("GET", "/slow", [](const auto&) { return FakeResponse::json(200, {{"n", 1}}).after(2s); });
  EngineFixture f;
  f.write_workflow("two_steps", kTwoSteps);
  auto run = f.engine->start_run("two_steps", {{"url", provider.url("/slow")}});
  wait_for_request(provider, "/slow");

  CHECK_FALSE(f.engine->shutdown(100ms));
  CHECK(f.run(run.id).lease_owner.empty());

  f.restart();
  f.settle();
  auto finished = f.run(run.id);
  CHECK(finished.status == RunStatus::Completed);
  CHECK(finished.result == 2);
  CHECK(provider.request_count("/slow") == 2);
}
