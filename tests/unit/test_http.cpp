// weft.http against a local fake provider: requests and responses as a
// user sees them, error kinds for retries, Retry-After driving the retry
// delay, size limits, redirects, and hundreds of slow requests served
// concurrently by a single worker thread.
#include <catch2/catch.hpp>

#include <chrono>

#include "engine/metrics.hpp"
#include "stdlib/http_client.hpp"
#include "stdlib/http_metrics.hpp"
#include "tests/fakes/fake_server.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::EventStatus;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;

namespace {

std::string http_workflow(const std::string& name, const std::string& step_body,
                          const std::string& extra = "retry = { attempts = 1 },") {
  return "local weft = require 'weft'\nlocal http = require 'weft.http'\n"
         "return weft.workflow { name = '" + name + "', " + extra +
         "\nrun = function(ctx, input)\nreturn ctx:step('call', function()\n" + step_body +
         "\nend)\nend }\n";
}

json run_and_get(EngineFixture& f, const std::string& name, const json& input,
                 RunStatus expected = RunStatus::Completed) {
  auto run = f.run(f.start(name, input).id);
  INFO(run.error.dump());
  REQUIRE(run.status == expected);
  return expected == RunStatus::Completed ? run.result : run.error;
}

}  // namespace

TEST_CASE("http.get sends query and headers and returns status, headers, body and json",
          "[http]") {
  FakeServer server;
  server.on("GET", "/contacts/7", [](const auto&) {
    auto response = FakeResponse::json(200, {{"id", 7}, {"email", "ada@example.com"}});
    response.headers["X-Request-Id"] = "abc";
    return response;
  });
  EngineFixture f;
  f.write_workflow("get", http_workflow("get", R"lua(
    local res = http.get(input.url, { query = { fields = "id,email", q = "a b" },
                                      headers = { Authorization = "Bearer t0k" } })
    return { status = res.status, email = res:json().email, request_id = res.headers["x-request-id"],
             ctype = res.headers["content-type"] }
  )lua"));
  json result = run_and_get(f, "get", {{"url", server.url("/contacts/7")}});
  CHECK(result == json({{"status", 200}, {"email", "ada@example.com"}, {"request_id", "abc"},
                        {"ctype", "application/json"}}));
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].query == "fields=id%2Cemail&q=a%20b");
  CHECK(requests[0].headers["authorization"] == "Bearer t0k");
}

TEST_CASE("http.post sends JSON and form bodies with their content types", "[http]") {
  FakeServer server;
  server.on("POST", "/echo", [](const auto& request) {
    return FakeResponse::json(201, {{"ctype", request.headers.at("content-type")}, {"body", request.body}});
  });
  EngineFixture f;
  f.write_workflow("post", http_workflow("post", R"lua(
    local a = http.post(input.url, { json = { name = "Ada", tags = weft.array() } }):json()
    local b = http.post(input.url, { form = { name = "Ada Lovelace", n = 1 } }):json()
    local c = http.request { method = "post", url = input.url, body = "raw", headers = { ["Content-Type"] = "text/plain" } }
    return { a = a, b = b, c = c:json(), status = c.status }
  )lua"));
  json result = run_and_get(f, "post", {{"url", server.url("/echo")}});
  CHECK(result["a"]["ctype"] == "application/json");
  CHECK(json::parse(result["a"]["body"].get<std::string>()) == json::parse(R"({"name":"Ada","tags":[]})"));
  CHECK(result["b"]["ctype"] == "application/x-www-form-urlencoded");
  CHECK(result["b"]["body"] == "n=1&name=Ada%20Lovelace");
  CHECK(result["c"]["body"] == "raw");
  CHECK(result["status"] == 201);
}

TEST_CASE("http errors carry kinds for retry policies", "[http]") {
  FakeServer server;
  server.on("GET", "/slow", [](const auto&) { return FakeResponse::json(200, {}).after(std::chrono::milliseconds(3000)); });
  server.on("GET", "/missing", [](const auto&) { return FakeResponse::fail(404); });
  server.on("GET", "/busy", [](const auto&) { return FakeResponse::fail(503); });
  server.on("GET", "/huge", [](const auto&) { return FakeResponse::huge(2 << 20); });
  server.on("GET", "/drop", [](const auto&) { return FakeResponse::drop_connection(); });
  EngineFixture f;
  f.write_workflow("probe", http_workflow("probe", R"lua(
    local function kind(opts)
      local ok, err = pcall(http.request, opts)
      if ok then return "ok " .. err.status end
      return err.kind .. (err.retryable and " retryable" or " final") .. (err.status and (" " .. err.status) or "")
    end
    local base = input.base
    return {
      timeout = kind { url = base .. "/slow", timeout = "200ms" },
      refused = kind { url = "http://127.0.0.1:1/", connect_timeout = "2s" },
      not_found = kind { url = base .. "/missing", raise = true },
      not_found_quiet = kind { url = base .. "/missing" },
      busy = kind { url = base .. "/busy", raise = true },
      huge = kind { url = base .. "/huge", max_body = "1MB" },
      dropped = kind { url = base .. "/drop" },
      scheme = kind { url = "file:///etc/passwd" },
      tls = kind { url = input.tls_url },   -- https to a plain HTTP server
    }
  )lua"));
  std::string tls_url = "https" + server.url("/busy").substr(4);
  std::string host = weft::stdlib::url_host(server.url("/"));
  auto requests = [&](const std::string& outcome) {
    return weft::engine::MetricsRegistry::process().value(weft::stdlib::kHttpRequestsMetric,
                                                          {{"host", host}, {"outcome", outcome}});
  };
  double before_404 = requests("404"), before_503 = requests("503"), before_timeout = requests("timeout");
  json r = run_and_get(f, "probe", {{"base", server.url("")}, {"tls_url", tls_url}});
  CHECK(r["timeout"] == "timeout retryable");
  CHECK(r["refused"] == "connect retryable");
  CHECK(r["not_found"] == "http final 404");
  CHECK(r["not_found_quiet"] == "ok 404");
  CHECK(r["busy"] == "http retryable 503");
  CHECK(r["huge"] == "too_large final");
  CHECK(r["dropped"] == "connect retryable");
  CHECK_THAT(r["scheme"].get<std::string>(), Catch::StartsWith("protocol final"));
  CHECK(r["tls"] == "tls final");
  // Every request is counted by host and outcome.
  CHECK(requests("404") - before_404 == 2);
  CHECK(requests("503") - before_503 == 1);
  CHECK(requests("timeout") - before_timeout == 1);
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[http]") {
  int64_t now = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(weft::stdlib::retry_after_seconds("120", now) == 120);
  CHECK(weft::stdlib::retry_after_seconds("Wed, 21 Oct 2015 07:29:30 GMT", now) == 90);
  CHECK(weft::stdlib::retry_after_seconds("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0);
  CHECK(weft::stdlib::retry_after_seconds("soon", now) < 0);
  CHECK(weft::stdlib::retry_after_seconds("", now) < 0);
}

TEST_CASE("hosts for metric labels drop credentials and paths", "[http]") {
  CHECK(weft::stdlib::url_host("https://user:pw@api.example.com:8443/v1?x=1") == "api.example.com:8443");
  CHECK(weft::stdlib::url_host("http://127.0.0.1:9/") == "127.0.0.1:9");
}

TEST_CASE("Retry-After of a 429 becomes the delay before the next attempt", "[http]") {
  FakeServer server;
  int calls = 0;
  server.on("GET", "/limited", [&calls](const auto&) {
    return ++calls == 1 ? FakeResponse::too_many_requests(7) : FakeResponse::json(200, {{"ok", true}});
  });
  EngineFixture f;
  f.write_workflow("limited", http_workflow("limited", "return http.get(input.url, { raise = true }):json()",
                                            "retry = { attempts = 3, initial = '1s' },"));
  auto run = f.start("limited", {{"url", server.url("/limited")}});
  auto history = f.history(run.id);
  REQUIRE(history.size() == 1);
  CHECK(history[0].status == EventStatus::Retrying);
  CHECK(history[0].error["kind"] == "http");
  CHECK(history[0].error["status"] == 429);
  CHECK(history[0].fire_at - history[0].ended_at == 7'000);
  f.advance(7'000);
  CHECK(f.run(run.id).result == json({{"ok", true}}));
}

TEST_CASE("redirects are not followed unless asked", "[http]") {
  FakeServer server;
  server.on("GET", "/old", [&server](const auto&) { return FakeResponse::redirect(server.url("/new")); });
  server.on("GET", "/new", [](const auto&) { return FakeResponse::json(200, {{"at", "new"}}); });
  EngineFixture f;
  f.write_workflow("redirects", http_workflow("redirects", R"lua(
    local plain = http.get(input.url)
    local followed = http.get(input.url, { follow_redirects = true })
    return { plain = plain.status, location = plain.headers.location, followed = followed:json().at }
  )lua"));
  json r = run_and_get(f, "redirects", {{"url", server.url("/old")}});
  CHECK(r["plain"] == 302);
  CHECK(r["location"] == server.url("/new"));
  CHECK(r["followed"] == "new");
}

TEST_CASE("http is refused in the workflow body, outside steps", "[http]") {
  EngineFixture f;
  f.write_workflow("body_http", "local weft = require 'weft'\nlocal http = require 'weft.http'\n"
                                "return weft.workflow { name = 'body_http', run = function(ctx)\n"
                                "return http.get('http://127.0.0.1:1/') end }\n");
  json error = run_and_get(f, "body_http", json::object(), RunStatus::Failed);
  CHECK_THAT(error["message"].get<std::string>(),
             Catch::Contains("http.request may only be called inside ctx:step"));
}

TEST_CASE("one worker thread serves 200 slow requests at once", "[http]") {
  FakeServer server;
  server.on("GET", "/slow", [](const auto&) {
    return FakeResponse::json(200, {{"ok", true}}).after(std::chrono::milliseconds(500));
  });
  EngineFixture f;  // one worker
  f.write_workflow("slow", http_workflow("slow", "return http.get(input.url).status"));
  std::vector<std::string> ids;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i)
    ids.push_back(f.engine->start_run("slow", {{"url", server.url("/slow")}}).id);
  f.settle();
  auto elapsed = std::chrono::steady_clock::now() - started;
  for (const auto& id : ids) CHECK(f.run(id).result == 200);
  CHECK(server.request_count("/slow") == 200);
  // Sequential requests would take 200 x 0.5 s = 100 s; concurrent ones a
  // few seconds. The bound is a half of the sequential time: a blocking
  // client fails it whatever the machine.
  CHECK(elapsed < std::chrono::seconds(50));
}
