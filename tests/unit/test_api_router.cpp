// The HTTP API's router without sockets: route matching, 404/405, error
// bodies, malformed JSON, bearer auth, and the run routes against a real
// engine (EngineFixture: manual clock, no background scheduler).
#include <catch2/catch.hpp>

#include "api/router.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::api::ApiRequest;
using weft::api::HttpResponse;
using weft::api::Router;

namespace {

const char* kHello = R"(local weft = require "weft"
return weft.workflow { name = "hello", run = function(ctx, input)
  return ctx:step("greet", function() return "Hello, " .. (input.name or "world") end)
end })";

const char* kApproval = R"(local weft = require "weft"
return weft.workflow { name = "approval", run = function(ctx, input)
  local decision = ctx:wait_event("approval")
  return { approved = decision.approved }
end })";

struct Api {
  explicit Api(std::vector<std::string> tokens = {})
      : router({*fx.store, *fx.catalog, *fx.engine}, std::move(tokens)) {
    fx.write_workflow("hello", kHello);
    fx.write_workflow("approval", kApproval);
  }

  HttpResponse operator()(std::string method, std::string target, std::string body = "",
                          std::map<std::string, std::string> headers = {}) {
    return router.handle({std::move(method), std::move(target), std::move(headers), std::move(body)});
  }

  weft::testing::EngineFixture fx;
  Router router;
};

void check_error(const HttpResponse& response, int status, const std::string& code) {
  CHECK(response.status == status);
  REQUIRE(response.body.contains("error"));
  CHECK(response.body["error"]["code"] == code);
  CHECK(response.body["error"]["message"].is_string());
  CHECK(response.body["error"].size() == 2);
}

}  // namespace

TEST_CASE("the router matches patterns and answers 404 and 405 as JSON errors", "[api]") {
  Api api;
  CHECK(api("GET", "/healthz").body == json{{"status", "ok"}});
  check_error(api("GET", "/nope"), 404, "not_found");
  check_error(api("GET", "/v1/runs/x/y/z"), 404, "not_found");
  auto wrong_method = api("DELETE", "/v1/runs/abc");
  check_error(wrong_method, 405, "method_not_allowed");
  CHECK(wrong_method.headers["Allow"] == "GET");
  check_error(api("GET", "/v1/workflows/hello/runs"), 405, "method_not_allowed");
  check_error(api("GET", "/v1/runs/%zz"), 400, "bad_target");
}

TEST_CASE("GET /v1/workflows lists names and versions", "[api]") {
  Api api;
  auto response = api("GET", "/v1/workflows");
  REQUIRE(response.status == 200);
  REQUIRE(response.body["workflows"].size() == 2);
  for (const auto& workflow : response.body["workflows"]) {
    CHECK(workflow["version"].get<std::string>().size() == 64);
    CHECK((workflow["name"] == "hello" || workflow["name"] == "approval"));
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

TEST_CASE("?wait= asks the server to await the run; the awaited answer is 200 once ended",
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

TEST_CASE("with tokens, /v1 needs a matching bearer token; /healthz never does", "[api]") {
  Api api({"alpha", "beta"});
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
