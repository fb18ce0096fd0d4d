// The queue routes through the router: a message's run belongs to the
// token's tenant and goes through the queue; the queue figures are for
// tokens without a tenant; the start options are checked.
#include <catch2/catch.hpp>

#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::testing::Api;
using weft::testing::check_error;

namespace {

const char* kQueued = R"(local weft = require "weft"
return weft.workflow { name = "queued",
  on = { weft.queue { name = "inbound", concurrency = 1, count_parked = true } },
  run = function(ctx, input) ctx:wait_event("go") return input end })";

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

}  // namespace

TEST_CASE("queue messages start runs of the queue's workflow in the caller's tenant", "[api][queues]") {
  Api api({{"admin", ""}, {"acme-token", "acme"}});
  api.fx.write_workflow("queued", kQueued);
  auto first = api("POST", "/v1/queues/inbound/messages", R"({"n": 1})", bearer("acme-token"));
  REQUIRE(first.status == 201);
  CHECK(first.body["tenant"] == "acme");
  CHECK(first.body["workflow"] == "queued");
  CHECK(first.body["queue"] == json({{"name", "inbound"}, {"priority", 0}}));
  CHECK(first.body["status"] == "pending");
  api.fx.settle();  // admitted: it is alone
  auto second = api("POST", "/v1/queues/inbound/messages?priority=7", R"({"n": 2})", bearer("admin"));
  REQUIRE(second.status == 201);
  api.fx.settle();
  CHECK(api("GET", "/v1/runs/" + first.body["id"].get<std::string>(), "", bearer("admin")).body["status"] ==
        "waiting");
  CHECK(api("GET", "/v1/runs/" + second.body["id"].get<std::string>(), "", bearer("admin")).body["status"] ==
        "pending");  // concurrency 1, held by the first
  check_error(api("GET", "/v1/queues", "", bearer("acme-token")), 403, "forbidden");
  auto queues = api("GET", "/v1/queues", "", bearer("admin"));
  REQUIRE(queues.status == 200);
  REQUIRE(queues.body["queues"].size() == 1);
  CHECK(queues.body["queues"][0]["active"] == 1);
  CHECK(queues.body["queues"][0]["waiting_by_priority"] == json({{"7", 1}}));
  check_error(api("POST", "/v1/queues/nope/messages", "{}", bearer("admin")), 404, "unknown_queue");
  check_error(api("POST", "/v1/queues/inbound/messages?delay=later", "{}", bearer("admin")), 400, "invalid_delay");
  check_error(api("POST", "/v1/queues/inbound/messages?priority=1e3", "{}", bearer("admin")), 400, "invalid_priority");
  check_error(api("POST", "/v1/queues/inbound/messages?priority=--1", "{}", bearer("admin")), 400, "invalid_priority");
  check_error(api("POST", "/v1/workflows/hello/runs?delay=400d", "{}", bearer("admin")), 400, "invalid_delay");
}

TEST_CASE("a delayed start over the API is pending until its time", "[api][queues]") {
  Api api;
  auto started = api("POST", "/v1/workflows/hello/runs?delay=90s", R"({"name": "Ada"})");
  REQUIRE(started.status == 201);
  std::string id = started.body["id"];
  CHECK(started.body["status"] == "pending");
  api.fx.advance(89'000);
  CHECK(api("GET", "/v1/runs/" + id).body["status"] == "pending");
  api.fx.advance(1'000);
  CHECK(api("GET", "/v1/runs/" + id).body["status"] == "completed");
}
