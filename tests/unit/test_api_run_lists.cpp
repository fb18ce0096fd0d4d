// GET /v1/runs pages (newest first, opaque cursor, since) and the
// dead-letter list, and POST /v1/runs/{id}/retry through the router.
#include <catch2/catch.hpp>

#include "api/run_pages.hpp"
#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::testing::Api;
using weft::testing::check_error;

namespace {

// Step "b" fails (1 attempt) until the document flags/b says ok.
const char* kFlaky = R"lua(local weft = require "weft"
local store = require "weft.store"
return weft.workflow { name = "flaky", retry = { attempts = 1 },
  run = function(ctx, input)
    ctx:step("a", function() return 1 end)
    return ctx:step("b", function()
      local flag = store.get("flags", "b")
      if not (flag and flag.ok) then error("b is not ready") end
      return "ok"
    end)
  end })lua";

}  // namespace

TEST_CASE("GET /v1/runs pages newest first with an opaque cursor", "[api][runs]") {
  Api api;
  std::vector<std::string> ids;  // oldest first, one second apart
  for (int i = 0; i < 5; ++i) {
    ids.push_back(api("POST", "/v1/workflows/hello/runs", "{}").body["id"]);
    api.fx.advance(1'000);
  }
  std::vector<std::string> seen;
  std::string target = "/v1/runs?limit=2";
  for (int page = 0; page < 3; ++page) {
    auto response = api("GET", target);
    REQUIRE(response.status == 200);
    for (const auto& run : response.body["runs"]) seen.push_back(run["id"]);
    if (page < 2) {
      CHECK(response.body["runs"].size() == 2);
      REQUIRE(response.body["next_cursor"].is_string());
      target = "/v1/runs?limit=2&cursor=" + response.body["next_cursor"].get<std::string>();
    } else {
      CHECK(response.body["runs"].size() == 1);
      CHECK(response.body["next_cursor"].is_null());
    }
  }
  CHECK(seen == std::vector<std::string>(ids.rbegin(), ids.rend()));
  CHECK(api("GET", "/v1/runs").body["next_cursor"].is_null());

  check_error(api("GET", "/v1/runs?cursor=%%%"), 400, "bad_target");
  check_error(api("GET", "/v1/runs?cursor=bm9wZQ"), 400, "invalid_cursor");  // "nope"
  check_error(api("GET", "/v1/runs?cursor=!!"), 400, "invalid_cursor");
  check_error(api("GET", "/v1/runs?limit=1001"), 400, "invalid_limit");
}

TEST_CASE("GET /v1/runs?since= takes RFC 3339 or unix ms", "[api][runs]") {
  Api api;
  int64_t start = api.fx.clock.now_ms();  // 2027-01-15T08:00:00Z
  api("POST", "/v1/workflows/hello/runs", "{}");
  api.fx.advance(60'000);
  std::string later = api("POST", "/v1/workflows/hello/runs", "{}").body["id"];
  api.fx.settle();
  auto count = [&](const std::string& since) {
    auto response = api("GET", "/v1/runs?since=" + since);
    REQUIRE(response.status == 200);
    return response.body["runs"].size();
  };
  CHECK(count(std::to_string(start)) == 2);
  CHECK(count(std::to_string(start + 1)) == 1);
  CHECK(count("2027-01-15T08:00:00Z") == 2);
  CHECK(count("2027-01-15T08:00:00.001Z") == 1);
  CHECK(count("2027-01-15T09:01:00%2B01:00") == 1);  // 08:01Z, percent-encoded '+'
  CHECK(count("2027-01-15T07:01:00-01:00") == 1);
  CHECK(count("2027-01-15T08:02:00Z") == 0);
  CHECK(api("GET", "/v1/runs?since=2027-01-15T08:00:30Z").body["runs"][0]["id"] == later);
  check_error(api("GET", "/v1/runs?since=yesterday"), 400, "invalid_since");
  check_error(api("GET", "/v1/runs?since=2027-02-30T00:00:00Z"), 400, "invalid_since");
  check_error(api("GET", "/v1/runs?since=2027-01-15T08:00:00"), 400, "invalid_since");
  CHECK(weft::api::parse_since("1970-01-01T00:00:00Z") == 0);
  CHECK(weft::api::parse_since("2026-11-22T08:30:00.25Z") == 1'795'336'200'250);
}

TEST_CASE("dead letters list failed runs with their step and retry redrives them",
          "[api][runs][dead_letters][redrive]") {
  Api api;
  api.fx.write_workflow("flaky", kFlaky);
  std::string id = api("POST", "/v1/workflows/flaky/runs", "{}").body["id"];
  api("POST", "/v1/workflows/hello/runs", "{}");
  api.fx.settle();

  auto letters = api("GET", "/v1/dead-letters");
  REQUIRE(letters.status == 200);
  REQUIRE(letters.body["dead_letters"].size() == 1);
  const json& letter = letters.body["dead_letters"][0];
  CHECK(letter["id"] == id);
  CHECK(letter["workflow"] == "flaky");
  CHECK(letter["error"]["message"].get<std::string>().find("b is not ready") != std::string::npos);
  CHECK(letter["failed_step"] == json{{"name", "b"}, {"seq", 2}, {"attempt", 1}});
  CHECK(letter["ended_at"].is_number());
  CHECK(letters.body["next_cursor"].is_null());
  CHECK(api("GET", "/v1/dead-letters?workflow=hello").body["dead_letters"].empty());

  check_error(api("POST", "/v1/runs/nope/retry"), 404, "run_not_found");
  api.fx.store->documents().put_document("flags", "b", {{"ok", true}}, -1, api.fx.clock.now_ms());
  auto retried = api("POST", "/v1/runs/" + id + "/retry");
  CHECK(retried.status == 202);
  CHECK(retried.body["status"] == "pending");
  CHECK(api("GET", "/v1/dead-letters").body["dead_letters"].empty());
  check_error(api("POST", "/v1/runs/" + id + "/retry"), 409, "run_not_failed");
  api.fx.settle();
  auto run = api("GET", "/v1/runs/" + id);
  CHECK(run.body["status"] == "completed");
  CHECK(run.body["result"] == "ok");
  check_error(api("POST", "/v1/runs/" + id + "/retry"), 409, "run_not_failed");
}
