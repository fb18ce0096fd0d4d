// What an operator sees of a real `weft serve`: GET /metrics scraped as
// Prometheus does (runs, steps, timers, storage commits, webhooks, auth)
// and the structured JSON log lines on stderr, tied to runs and steps.
#include <catch2/catch.hpp>

#include <sstream>

#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::Server;

namespace {

const char* kNapper = R"(local weft = require "weft"
return weft.workflow { name = "napper", run = function(ctx) ctx:sleep("1h") end })";

const char* kDoomed = R"(local weft = require "weft"
return weft.workflow { name = "doomed", run = function(ctx)
  ctx:step("explode", { retry = { attempts = 1 } }, function() error("kaboom") end)
end })";

const char* kHooked = R"(local weft = require "weft"
return weft.workflow { name = "hooked",
  on = { weft.webhook { path = "/hooks/plain", verify = false } },
  run = function(ctx, input) return input end })";

// The value of one series ("name{labels}" exactly as exposed), or -1.
double series(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

weft::testing::ServeOptions observed_server() {
  weft::testing::ServeOptions options;
  options.env = {{"WEFT_API_TOKENS", "ops,acme-token tenant=acme"}};
  options.args = {"--log-level", "debug", "--log-format", "json"};
  options.workflows = {{"napper", kNapper}, {"doomed", kDoomed}, {"hooked", kHooked}};
  return options;
}

}  // namespace

TEST_CASE("GET /metrics reports runs, steps, timers, commits and webhooks", "[e2e][serve][metrics]") {
  Server server(observed_server());
  auto hello = request("POST", server.url("/v1/workflows/hello/runs?wait=10s"), R"({"name":"Ada"})", "ops");
  REQUIRE(hello.status == 200);
  auto doomed = request("POST", server.url("/v1/workflows/doomed/runs?wait=10s"), "{}", "ops");
  REQUIRE(doomed.status == 200);
  CHECK(doomed.json_body()["status"] == "failed");
  std::string napper = request("POST", server.url("/v1/workflows/napper/runs"), "{}", "ops").json_body()["id"];
  server.await_status(napper, "sleeping", "ops");
  CHECK(request("POST", server.url("/hooks/plain"), R"({"n":1})").status == 202);

  auto scraped = request("GET", server.url("/metrics"), "", "ops");
  REQUIRE(scraped.status == 200);
  CHECK_THAT(scraped.headers["content-type"], Catch::StartsWith("text/plain; version=0.0.4"));
  const std::string& text = scraped.body;
  CHECK(series(text, R"(weft_runs_started_total{workflow="hello"})") == 1);
  CHECK(series(text, R"(weft_runs_ended_total{workflow="hello",status="completed"})") == 1);
  CHECK(series(text, R"(weft_runs_ended_total{workflow="doomed",status="failed"})") == 1);
  CHECK(series(text, R"(weft_step_duration_seconds_count{workflow="hello",step="greet",outcome="completed"})") == 1);
  CHECK(series(text, R"(weft_step_duration_seconds_count{workflow="doomed",step="explode",outcome="failed"})") == 1);
  CHECK(series(text, R"(weft_runs{workflow="doomed",status="failed"})") == 1);
  CHECK(series(text, R"(weft_runs{workflow="hello",status="completed"})") == -1);  // ended: not a state
  CHECK(series(text, R"(weft_runs{workflow="napper",status="sleeping"})") == 1);
  CHECK(series(text, "weft_timers_pending") == 1);
  CHECK(series(text, "weft_timer_lag_seconds") == 0);
  CHECK(series(text, R"(weft_webhook_deliveries_total{route="/hooks/plain",outcome="started",status="202"})") == 1);
  CHECK(series(text, "weft_storage_commit_batch_size_count") >= 4);
  CHECK(series(text, R"(weft_storage_commit_seconds_bucket{le="+Inf"})") >= 4);
  CHECK_THAT(text, Catch::Contains("# TYPE weft_step_duration_seconds histogram"));

  SECTION("the metrics need an operator's token") {
    CHECK(request("GET", server.url("/metrics")).status == 401);
    CHECK(request("GET", server.url("/metrics"), "", "wrong").status == 401);
    auto tenant = request("GET", server.url("/metrics"), "", "acme-token");
    CHECK(tenant.status == 403);
    CHECK(tenant.json_body()["error"]["code"] == "forbidden");
  }
}

TEST_CASE("weft serve logs one JSON object a line, with run, workflow, step and attempt",
          "[e2e][serve][logs]") {
  Server server(observed_server());
  auto hello = request("POST", server.url("/v1/workflows/hello/runs?wait=10s"), R"({"name":"Ada"})", "ops");
  REQUIRE(hello.status == 200);
  std::string run_id = hello.json_body()["id"];
  auto doomed = request("POST", server.url("/v1/workflows/doomed/runs?wait=10s"), "{}", "ops");
  REQUIRE(doomed.status == 200);
  std::string doomed_id = doomed.json_body()["id"];
  auto ended = server.serve->terminate();
  REQUIRE(ended.exit_code == 0);

  std::vector<json> records;
  std::istringstream lines(ended.err);
  std::string line;
  while (std::getline(lines, line)) {
    INFO(line);
    json record = json::parse(line, nullptr, false);
    REQUIRE(record.is_object());
    CHECK(record.contains("ts"));
    CHECK(record.contains("level"));
    CHECK(record.contains("msg"));
    records.push_back(record);
  }
  auto find = [&](const std::string& msg, const std::string& run, const std::string& step = "") {
    for (const auto& r : records)
      if (r["msg"] == msg && r.value("run", "") == run && (step.empty() || r.value("step", "") == step))
        return r;
    return json();
  };
  CHECK(find("run started", run_id)["workflow"] == "hello");
  json greet = find("step completed", run_id, "greet");
  CHECK(greet["level"] == "debug");
  CHECK(greet["workflow"] == "hello");
  CHECK(greet["attempt"] == 1);
  CHECK(find("run ended", run_id)["status"] == "completed");
  json exploded = find("step failed", doomed_id, "explode");
  CHECK(exploded["level"] == "warn");
  CHECK_THAT(exploded.value("error", ""), Catch::Contains("kaboom"));
  CHECK(find("run ended", doomed_id)["status"] == "failed");
  bool access_logged = false;  // debug level: one record per answered request
  for (const auto& r : records)
    access_logged |= r["msg"] == "http request" && r.value("request", "") == "POST /v1/workflows/hello/runs" &&
                     r.value("status", 0) == 200;
  CHECK(access_logged);
  CHECK_THAT(ended.err, Catch::Contains("broken.lua:1:"));  // the bad file is reported, as JSON too
}

TEST_CASE("weft serve refuses an unknown log level or format", "[e2e][serve][logs]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--log-level=loud", "log_level must be debug, info, warn or error, got 'loud'"},
      {"--log-format=xml", "log_format must be auto, json or text, got 'xml'"}};
  for (const auto& [option, message] : cases) {
    auto result = weft::testing::run_command({WEFT_BINARY, "serve", "--listen", "127.0.0.1:0", option},
                                             {}, std::chrono::seconds(20));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains(message));
  }
}
