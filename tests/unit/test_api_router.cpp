// The HTTP API's router without sockets: route matching, 404/405, error
// bodies, malformed JSON and body limits, bearer auth, idempotent starts,
// and the run routes against a real engine (tests/support/api_fixture.hpp).
#include <catch2/catch.hpp>

#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::testing::Api;
using weft::testing::check_error;

TEST_CASE("the router matches patterns and answers 404 and 405 as JSON errors", "[api]") {
  Api api;
  CHECK(api("GET", "/healthz").body == json{{"status", "ok"}, {"storage", "ok"}});
  check_error(api("GET", "/nope"), 404, "not_found");
  check_error(api("GET", "/v1/runs/x/y/z"), 404, "not_found");
  auto wrong_method = api("DELETE", "/v1/runs/abc");
  check_error(wrong_method, 405, "method_not_allowed");
  CHECK(wrong_method.headers["Allow"] == "GET");
  check_error(api("GET", "/v1/workflows/hello/runs"), 405, "method_not_allowed");
  check_error(api("GET", "/v1/runs/%zz"), 400, "bad_target");
}

TEST_CASE("GET /v1/workflows lists names, versions and cron triggers", "[api]") {
  Api api;
  api.fx.write_workflow("nightly", R"(local weft = require "weft"
return weft.workflow { name = "nightly",
  on = { weft.cron { "0 30 2 * * *", zone = "Europe/Paris", overlap = "allow" } },
  run = function(ctx, input) return 1 end })");
  auto response = api("GET", "/v1/workflows");
  REQUIRE(response.status == 200);
  REQUIRE(response.body["workflows"].size() == 3);
  for (const auto& workflow : response.body["workflows"]) {
    CHECK(workflow["version"].get<std::string>().size() == 64);
    if (workflow["name"] != "nightly") {
      CHECK(workflow["triggers"] == json::array());
      continue;
    }
    REQUIRE(workflow["triggers"].size() == 1);
    const json& cron = workflow["triggers"][0];
    CHECK(cron["type"] == "cron");
    CHECK(cron["expr"] == "0 30 2 * * *");
    CHECK(cron["zone"] == "Europe/Paris");
    CHECK(cron["overlap"] == "allow");
    CHECK(cron["catch_up"] == "latest");
    std::string next = cron["next_fire"];
    CHECK(next.size() == 20);  // 2026-11-23T01:30:00Z
    CHECK((next.substr(11) == "00:30:00Z" || next.substr(11) == "01:30:00Z"));  // CEST or CET
  }
}

TEST_CASE("starting a run: 201, empty body is {}, malformed JSON 400, unknown workflow 404",
          "[api]") {
  Api api;
  auto started = api("POST", "/v1/workflows/hello/runs", R"({"name":"Ada"})");
  REQUIRE(started.status == 201);
  std::string id = started.body["id"];
  CHECK(started.body["workflow"] == "hello");
  CHECK_FALSE(started.await.has_value());
  api.fx.settle();
  auto run = api("GET", "/v1/runs/" + id);
  CHECK(run.status == 200);
  CHECK(run.body["status"] == "completed");
  CHECK(run.body["result"] == "Hello, Ada");

  auto empty = api("POST", "/v1/workflows/hello/runs");
  REQUIRE(empty.status == 201);
  CHECK(empty.body["input"] == json::object());

  check_error(api("POST", "/v1/workflows/hello/runs", "{name: Ada"), 400, "invalid_json");
  check_error(api("POST", "/v1/workflows/nope/runs", "{}"), 404, "unknown_workflow");
  check_error(api("POST", "/v1/workflows/hello/runs?wait=soon", "{}"), 400, "invalid_wait");
}

TEST_CASE("?wait= asks the server to await the run, and the awaited answer is 200 once ended",
          "[api]") {
  Api api;
  auto started = api("POST", "/v1/workflows/hello/runs?wait=10s", "{}");
  CHECK(started.status == 202);
  REQUIRE(started.await.has_value());
  CHECK(started.await->timeout == std::chrono::seconds(10));
  CHECK(api("POST", "/v1/workflows/hello/runs?wait=3", "{}").await->timeout ==
        std::chrono::seconds(3));

  auto waiting = api("POST", "/v1/workflows/approval/runs?wait=1s", "{}");
  api.fx.settle();
  CHECK_FALSE(api.router.awaited_run(waiting.await->run_id, false).has_value());
  auto timed_out = api.router.awaited_run(waiting.await->run_id, true);
  REQUIRE(timed_out.has_value());
  CHECK(timed_out->status == 202);
  auto ended = api.router.awaited_run(started.await->run_id, false);
  REQUIRE(ended.has_value());
  CHECK(ended->status == 200);
  CHECK(ended->body["status"] == "completed");
}

TEST_CASE("runs: list with filters, history, events, cancel", "[api]") {
  Api api;
  std::string hello = api("POST", "/v1/workflows/hello/runs", "{}").body["id"];
  std::string approval = api("POST", "/v1/workflows/approval/runs", "{}").body["id"];
  std::string doomed = api("POST", "/v1/workflows/approval/runs", "{}").body["id"];
  api.fx.settle();

  CHECK(api("GET", "/v1/runs").body["runs"].size() == 3);
  CHECK(api("GET", "/v1/runs?workflow=approval").body["runs"].size() == 2);
  CHECK(api("GET", "/v1/runs?status=completed").body["runs"].size() == 1);
  CHECK(api("GET", "/v1/runs?limit=1").body["runs"].size() == 1);
  check_error(api("GET", "/v1/runs?status=bogus"), 400, "invalid_status");
  check_error(api("GET", "/v1/runs?limit=0"), 400, "invalid_limit");
  check_error(api("GET", "/v1/runs/nope"), 404, "run_not_found");

  auto history = api("GET", "/v1/runs/" + hello + "/history");
  REQUIRE(history.status == 200);
  CHECK(history.body["history"][0]["name"] == "greet");
  check_error(api("GET", "/v1/runs/nope/history"), 404, "run_not_found");

  check_error(api("POST", "/v1/runs/nope/events/approval", "{}"), 404, "run_not_found");
  check_error(api("POST", "/v1/runs/" + approval + "/events/approval", "{oops"), 400, "invalid_json");
  CHECK(api("POST", "/v1/runs/" + approval + "/events/approval", R"({"approved":true})").status == 202);
  api.fx.settle();
  CHECK(api("GET", "/v1/runs/" + approval).body["result"] == json{{"approved", true}});
  check_error(api("POST", "/v1/runs/" + approval + "/events/approval", "{}"), 409, "run_ended");

  auto cancelled = api("POST", "/v1/runs/" + doomed + "/cancel");
  CHECK((cancelled.status == 200 || cancelled.status == 202));
  api.fx.settle();
  CHECK(api("GET", "/v1/runs/" + doomed).body["status"] == "cancelled");
  check_error(api("POST", "/v1/runs/" + doomed + "/cancel"), 409, "run_ended");
  check_error(api("POST", "/v1/runs/nope/cancel"), 404, "run_not_found");
}

TEST_CASE("with tokens, /v1 needs a matching bearer token but /healthz never does", "[api]") {
  Api api({{"alpha", ""}, {"beta", ""}});
  check_error(api("GET", "/v1/workflows"), 401, "unauthorized");
  check_error(api("GET", "/v1/nope"), 401, "unauthorized");
  check_error(api("GET", "/v1/workflows", "", {{"authorization", "Bearer gamma"}}), 401,
              "unauthorized");
  check_error(api("GET", "/v1/workflows", "", {{"authorization", "Bearer alph"}}), 401,
              "unauthorized");
  check_error(api("GET", "/v1/workflows", "", {{"authorization", "Basic alpha"}}), 401,
              "unauthorized");
  CHECK(api("GET", "/v1/workflows", "", {{"authorization", "Bearer alpha"}}).status == 200);
  CHECK(api("GET", "/v1/workflows", "", {{"authorization", "Bearer beta"}}).status == 200);
  CHECK(api("GET", "/healthz").status == 200);
}

TEST_CASE("Idempotency-Key: the same key and body give the same run, another body 409",
          "[api][idempotency]") {
  Api api;
  std::map<std::string, std::string> key{{"idempotency-key", "order-42"}};
  auto first = api("POST", "/v1/workflows/hello/runs", R"({"name":"Ada"})", key);
  REQUIRE(first.status == 201);
  CHECK(first.headers.count("Idempotent-Replayed") == 0);
  auto again = api("POST", "/v1/workflows/hello/runs", R"({"name":"Ada"})", key);
  CHECK(again.status == 200);
  CHECK(again.headers["Idempotent-Replayed"] == "true");
  CHECK(again.body["id"] == first.body["id"]);
  CHECK(again.body["idempotency_key"] == "order-42");

  check_error(api("POST", "/v1/workflows/hello/runs", R"({"name":"Bob"})", key), 409,
              "idempotency_conflict");
  auto waited = api("POST", "/v1/workflows/hello/runs?wait=5", R"({"name":"Ada"})", key);
  CHECK(waited.status == 202);
  CHECK(waited.headers["Idempotent-Replayed"] == "true");
  REQUIRE(waited.await.has_value());
  CHECK(waited.await->run_id == first.body["id"]);

  auto other = api("POST", "/v1/workflows/hello/runs", R"({"name":"Ada"})",
                   {{"idempotency-key", "order-43"}});
  CHECK(other.status == 201);
  CHECK(other.body["id"] != first.body["id"]);
  CHECK(api("POST", "/v1/workflows/hello/runs", "{}").body["id"] !=
        api("POST", "/v1/workflows/hello/runs", "{}").body["id"]);
  check_error(api("POST", "/v1/workflows/hello/runs", "{}", {{"idempotency-key", "a b"}}), 400,
              "invalid_idempotency_key");
  check_error(api("POST", "/v1/workflows/hello/runs", "{}",
                  {{"idempotency-key", std::string(256, 'k')}}),
              400, "invalid_idempotency_key");
}

TEST_CASE("request bodies: nesting deeper than 64 and invalid UTF-8 are 400", "[api][limits]") {
  Api api;
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(api("POST", "/v1/workflows/hello/runs", "{\"a\":" + nested(63) + "}").status == 201);
  check_error(api("POST", "/v1/workflows/hello/runs", "{\"a\":" + nested(64) + "}"), 400,
              "json_too_deep");
  check_error(api("POST", "/v1/workflows/hello/runs", nested(100000)), 400, "json_too_deep");
  check_error(api("POST", "/v1/workflows/hello/runs", std::string(5000, '{')), 400,
              "json_too_deep");
  // Brackets inside strings are not nesting.
  CHECK(api("POST", "/v1/workflows/hello/runs",
            "{\"s\":\"" + std::string(100, '[') + "\\\"" + std::string(100, '{') + "\"}")
            .status == 201);

  check_error(api("POST", "/v1/workflows/hello/runs", "{\"name\":\"\xff\"}"), 400, "invalid_utf8");
  check_error(api("POST", "/v1/workflows/hello/runs", "{\"name\":\"\xc0\xaf\"}"), 400,
              "invalid_utf8");  // overlong '/'
  check_error(api("POST", "/v1/workflows/hello/runs", "{\"name\":\"\xed\xa0\x80\"}"), 400,
              "invalid_utf8");  // a UTF-16 surrogate
  check_error(api("POST", "/v1/workflows/hello/runs", "{\"name\":\"\xe2\x82\"}"), 400,
              "invalid_utf8");  // truncated
  auto accented = api("POST", "/v1/workflows/hello/runs", "{\"name\":\"Zo\xc3\xab \xf0\x9f\x98\x80\"}");
  CHECK(accented.status == 201);
  CHECK(accented.body["input"]["name"] == "Zo\xc3\xab \xf0\x9f\x98\x80");
  std::string id = accented.body["id"];
  api.fx.settle();
  check_error(api("POST", "/v1/runs/" + id + "/events/x", "\xfe"), 400, "invalid_utf8");
}
