// Webhook ingress through the router against a real engine and SQLite
// file: signatures, dedup (also under concurrent redelivery), event
// mapping (nil, error, endless loop), rate limits, bodies, and the audit.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "api/router.hpp"
#include "api/webhook_ingress.hpp"
#include "stdlib/crypto_primitives.hpp"
#include "stdlib/secret_records.hpp"
#include "tests/support/api_fixture.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::api::HttpResponse;
using weft::engine::RunStatus;

namespace {

const char* kSecret = "It's a Secret to Everybody";

const char* kGithub = R"(local weft = require "weft"
return weft.workflow { name = "gh",
  on = { weft.webhook { path = "/hooks/github", verify = weft.verify.github "github.webhook",
                        dedup = "header:X-GitHub-Delivery",
                        event = function(req)
                          if req.headers["x-github-event"] == "ping" then return nil end
                          if req.json.action == "explode" then error("cannot map " .. req.json.action) end
                          if req.json.action == "spin" then while true do end end
                          if req.json.action == "sneak" then
                            while true do pcall(function() while true do end end) end
                          end
                          if req.json.action == "hog" then  -- doubling: memory, not instructions
                            local s = "x" for _ = 1, 30 do s = s .. s end return s
                          end
                          return { repo = req.json.repository.full_name, action = req.json.action,
                                   remote = req.remote }
                        end } },
  run = function(ctx, input) return input end })";

const char* kOpen = R"(local weft = require "weft"
return weft.workflow { name = "open",
  on = { weft.webhook { path = "/hooks/open/form", verify = false, dedup = "json:lead.id" },
         weft.webhook { path = "/hooks/limited", verify = false, limit = { rate = 2, per = "1m" } },
         weft.webhook { path = "/hooks/bodies", verify = false, dedup = "body" },
         weft.webhook { path = "/hooks/acme", verify = false, tenant = "acme", dedup = "json:id" },
         weft.webhook { path = "/hooks/tenants", verify = false, dedup = "json:id",
                        event = function(req)
                          if req.json.raw then return req.json.raw end
                          return { tenant = req.json.tenant, input = { id = req.json.id } }
                        end },
         weft.webhook { path = "/hooks/unset", verify = weft.verify.stripe "stripe.webhook" },
         weft.webhook { path = "/hooks/echo", verify = false,
                        event = function(req)
                          return { method = req.method, path = req.path, query = req.query,
                                   headers = req.headers, body = req.body, remote = req.remote,
                                   json = req.json or "none", form = req.form or "none" }
                        end } },
  run = function(ctx, input) return input end })";

std::string github_signature(const std::string& body, const std::string& secret = kSecret) {
  return "sha256=" + weft::stdlib::crypto::hex_encode(weft::stdlib::crypto::hmac("sha256", secret, body));
}

struct Hooks {
  Hooks()
      : ingress(*fx.store, *fx.catalog, *fx.engine, fx.secret_keys.get(), {1'000'000, 32ll << 20, 2}),
        router({*fx.store, *fx.catalog, *fx.engine, &ingress}, {weft::api::ApiToken{"token", ""}}) {
    weft::stdlib::put_secret_value(fx.store->secrets(), *fx.secret_keys, "", {"github.webhook"}, kSecret);
    fx.write_workflow("gh", kGithub);
    fx.write_workflow("open", kOpen);
  }

  HttpResponse post(const std::string& path, const std::string& body,
                    std::map<std::string, std::string> headers = {{"content-type", "application/json"}}) {
    return weft::testing::answered(router.handle({"POST", path, std::move(headers), body, "10.0.0.7"}));
  }

  HttpResponse github(const std::string& body, const std::string& delivery, const std::string& event = "push",
                      std::optional<std::string> signature = std::nullopt) {
    std::map<std::string, std::string> headers = {{"content-type", "application/json"},
                                                  {"x-github-event", event},
                                                  {"x-github-delivery", delivery}};
    std::string sig = signature.value_or(github_signature(body));
    if (!sig.empty()) headers["x-hub-signature-256"] = sig;
    return post("/hooks/github", body, headers);
  }

  std::vector<weft::engine::Run> runs(const std::string& workflow) {
    weft::engine::RunFilter filter;
    filter.workflow = workflow;
    return fx.store->runs().list_runs(filter);
  }

  std::vector<weft::engine::WebhookDelivery> audit() {
    ingress.flush_audit();
    return fx.store->deliveries().list_deliveries({});
  }

  weft::testing::EngineFixture fx;
  weft::api::WebhookIngress ingress;
  weft::api::Router router;
};

const std::string kPush = R"({"action":"opened","repository":{"full_name":"weft/weft"}})";

}  // namespace

TEST_CASE("a signed delivery starts a run with the mapped input and answers 202", "[webhook_ingress]") {
  Hooks hooks;
  auto response = hooks.github(kPush, "d-1");
  REQUIRE(response.status == 202);
  std::string id = response.body["run_id"];
  hooks.fx.settle();
  auto run = hooks.fx.run(id);
  CHECK(run.status == RunStatus::Completed);
  CHECK(run.input == json{{"repo", "weft/weft"}, {"action", "opened"}, {"remote", "10.0.0.7"}});
  CHECK(run.idempotency_key == "webhook:/hooks/github:d-1");
  auto audit = hooks.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].route == "/hooks/github");
  CHECK(audit[0].workflow == "gh");
  CHECK(audit[0].provider == "github");
  CHECK(audit[0].verified);
  CHECK(audit[0].dedup_key == "d-1");
  CHECK_FALSE(audit[0].dedup_hit);
  CHECK(audit[0].run_id == id);
  CHECK(audit[0].status == 202);
  CHECK(audit[0].outcome == "started");
  CHECK(audit[0].remote == "10.0.0.7");
  CHECK(audit[0].received_at > 0);
}

TEST_CASE("a wrong or missing signature is 401 and starts nothing", "[webhook_ingress]") {
  Hooks hooks;
  auto wrong = hooks.github(kPush, "d-1", "push", github_signature(kPush, "another secret"));
  CHECK(wrong.status == 401);
  CHECK(wrong.body["error"]["code"] == "signature_invalid");
  CHECK(wrong.body["error"]["message"] == "signature mismatch");
  auto missing = hooks.github(kPush, "d-2", "push", "");
  CHECK(missing.status == 401);
  CHECK_THAT(missing.body["error"]["message"].get<std::string>(), Catch::Contains("missing header"));
  auto tampered = hooks.github(kPush, "d-3", "push", github_signature(kPush + " "));
  CHECK(tampered.status == 401);
  CHECK(hooks.runs("gh").empty());
  auto audit = hooks.audit();
  REQUIRE(audit.size() == 3);
  for (const auto& record : audit) {
    CHECK_FALSE(record.verified);
    CHECK(record.status == 401);
    CHECK(record.outcome == "rejected");
    CHECK(record.run_id.empty());
  }
}

TEST_CASE("a redelivery is 200 duplicate with the first run, and concurrent ones start one run", "[webhook_ingress]") {
  Hooks hooks;
  auto first = hooks.github(kPush, "same");
  REQUIRE(first.status == 202);
  auto again = hooks.github(kPush, "same");
  CHECK(again.status == 200);
  CHECK(again.body == json{{"duplicate", true}, {"run_id", first.body["run_id"]}});
  CHECK(hooks.runs("gh").size() == 1);
  CHECK(hooks.audit().front().dedup_hit);

  std::atomic<int> started{0}, duplicates{0}, others{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      int status = hooks.github(kPush, "parallel").status;
      (status == 202 ? started : status == 200 ? duplicates : others)++;
    });
  for (auto& thread : threads) thread.join();
  CHECK(started == 1);
  CHECK(duplicates == 7);
  CHECK(others == 0);
  CHECK(hooks.runs("gh").size() == 2);
}

TEST_CASE("dedup = body starts one run per distinct body, whatever the headers", "[webhook_ingress]") {
  Hooks hooks;
  auto first = hooks.post("/hooks/bodies", R"({"lead":1})", {{"content-type", "application/json"}, {"x-try", "1"}});
  REQUIRE(first.status == 202);
  auto again = hooks.post("/hooks/bodies", R"({"lead":1})", {{"content-type", "application/json"}, {"x-try", "2"}});
  CHECK(again.status == 200);
  CHECK(again.body == json{{"duplicate", true}, {"run_id", first.body["run_id"]}});
  auto other = hooks.post("/hooks/bodies", R"({"lead": 1})");  // one byte more: another body
  CHECK(other.status == 202);
  CHECK(hooks.audit().front().dedup_key.rfind("sha256:", 0) == 0);
}

TEST_CASE("a route's tenant, or the one its event returns, is the run's, and dedup is per tenant",
          "[webhook_ingress][tenant]") {
  Hooks hooks;
  auto acme = hooks.post("/hooks/acme", R"({"id":"L-1"})");
  REQUIRE(acme.status == 202);
  CHECK(hooks.fx.run(acme.body["run_id"]).tenant == "acme");

  auto globex = hooks.post("/hooks/tenants", R"({"id":"L-1","tenant":"globex"})");
  REQUIRE(globex.status == 202);
  auto run = hooks.fx.run(globex.body["run_id"]);
  CHECK(run.tenant == "globex");
  CHECK(run.input == json{{"id", "L-1"}});
  auto initech = hooks.post("/hooks/tenants", R"({"id":"L-1","tenant":"initech"})");
  CHECK(initech.status == 202);  // the same delivery id in another tenant is another run
  auto again = hooks.post("/hooks/tenants", R"({"id":"L-1","tenant":"globex"})");
  CHECK(again.status == 200);
  CHECK(again.body["run_id"] == globex.body["run_id"]);

  CHECK(hooks.post("/hooks/tenants", R"({"id":"L-2","tenant":"../etc"})").status == 422);
  CHECK(hooks.post("/hooks/tenants", R"({"id":"L-3","tenant":7})").status == 422);
  // Any other shape is the input itself, tenant field or not.
  auto plain = hooks.post("/hooks/tenants", R"({"id":"L-4","raw":{"tenant":"x","input":1,"more":2}})");
  REQUIRE(plain.status == 202);
  CHECK(hooks.fx.run(plain.body["run_id"]).tenant.empty());
}

TEST_CASE("GET /v1/workflows lists webhook routes among the triggers", "[webhook_ingress]") {
  Hooks hooks;
  auto listed = weft::testing::answered(hooks.router.handle({"GET", "/v1/workflows", {{"authorization", "Bearer token"}}, "", "10.0.0.7"}));
  REQUIRE(listed.status == 200);
  json gh;
  for (const auto& workflow : listed.body["workflows"])
    if (workflow["name"] == "gh") gh = workflow;
  CHECK(gh["triggers"] == json::array({{{"type", "webhook"}, {"path", "/hooks/github"}, {"verify", "github"},
                                        {"dedup", "header:X-GitHub-Delivery"}}}));
}

TEST_CASE("event: nil ignores the delivery, an error is 422, an endless loop or a memory hog is 500", "[webhook_ingress]") {
  Hooks hooks;
  auto ping = hooks.github(R"({"zen":"Keep it logically awesome."})", "p-1", "ping");
  CHECK(ping.status == 200);
  CHECK(ping.body == json{{"ignored", true}});
  auto explode = hooks.github(R"({"action":"explode"})", "e-1");
  CHECK(explode.status == 422);
  CHECK(explode.body["error"]["code"] == "webhook_event_rejected");
  CHECK_THAT(explode.body["error"]["message"].get<std::string>(), Catch::Contains("cannot map explode"));
  auto spin = hooks.github(R"({"action":"spin"})", "s-1");
  CHECK(spin.status == 500);
  CHECK(spin.body["error"]["code"] == "webhook_event_failed");
  CHECK_THAT(spin.body["error"]["message"].get<std::string>(), Catch::Contains("instruction limit"));
  auto sneak = hooks.github(R"({"action":"sneak"})", "s-2");  // pcall cannot swallow the budget
  CHECK(sneak.status == 500);
  CHECK_THAT(sneak.body["error"]["message"].get<std::string>(), Catch::Contains("instruction limit"));
  auto hog = hooks.github(R"({"action":"hog"})", "h-1");
  CHECK(hog.status == 500);
  CHECK(hog.body["error"]["code"] == "webhook_event_failed");
  CHECK_THAT(hog.body["error"]["message"].get<std::string>(), Catch::Contains("memory limit"));
  CHECK(hooks.runs("gh").empty());
  // The server goes on: the next delivery maps and starts.
  CHECK(hooks.github(kPush, "after").status == 202);
  auto audit = hooks.audit();  // newest first
  REQUIRE(audit.size() == 6);
  CHECK(audit[5].outcome == "ignored");
  CHECK(audit[4].status == 422);
  CHECK(audit[3].status == 500);
  CHECK(audit[3].outcome == "failed");
  CHECK_THAT(audit[3].error, Catch::Contains("instruction limit"));
  CHECK(audit[0].status == 202);
}

TEST_CASE("routes without event take the parsed body, and bad bodies, methods and paths", "[webhook_ingress]") {
  Hooks hooks;
  auto form = hooks.post("/hooks/open/form", "name=Ada+Lovelace&team=%40eng",
                         {{"content-type", "application/x-www-form-urlencoded"}});
  REQUIRE(form.status == 202);
  CHECK(hooks.fx.run(form.body["run_id"]).input == json{{"name", "Ada Lovelace"}, {"team", "@eng"}});
  auto lead = hooks.post("/hooks/open/form", R"({"lead":{"id":42}})");
  REQUIRE(lead.status == 202);
  CHECK(hooks.fx.run(lead.body["run_id"]).idempotency_key == "webhook:/hooks/open/form:42");
  CHECK(hooks.post("/hooks/open/form", R"({"lead":{"id":42},"again":true})").status == 200);
  auto bad = hooks.post("/hooks/open/form", "{not json");
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["code"] == "invalid_json");
  CHECK(hooks.router.handle({"GET", "/hooks/open/form", {}, "", ""}).status == 405);
  CHECK(hooks.post("/hooks/nope", "{}").status == 404);
  auto unset = hooks.post("/hooks/unset", "{}");
  CHECK(unset.status == 500);
  CHECK(unset.body["error"]["code"] == "webhook_secret_missing");
}

TEST_CASE("event(req) sees the method, path, query, headers, raw body, remote and parsed body", "[webhook_ingress]") {
  Hooks hooks;
  auto posted = hooks.post("/hooks/echo?tag=crm&n=2", R"({"lead":{"id":7}})",
                           {{"content-type", "application/json"}, {"x-source", "crm"}});
  REQUIRE(posted.status == 202);
  CHECK(hooks.fx.run(posted.body["run_id"]).input ==
        json{{"method", "POST"},
             {"path", "/hooks/echo"},
             {"query", {{"tag", "crm"}, {"n", "2"}}},
             {"headers", {{"content-type", "application/json"}, {"x-source", "crm"}}},
             {"body", R"({"lead":{"id":7}})"},
             {"remote", "10.0.0.7"},
             {"json", {{"lead", {{"id", 7}}}}},
             {"form", "none"}});
  auto form = hooks.post("/hooks/echo", "a=1&b=two+words", {{"content-type", "application/x-www-form-urlencoded"}});
  REQUIRE(form.status == 202);
  json input = hooks.fx.run(form.body["run_id"]).input;
  CHECK(input["form"] == json{{"a", "1"}, {"b", "two words"}});
  CHECK(input["json"] == "none");
  CHECK(input["body"] == "a=1&b=two+words");
}

TEST_CASE("a route's rate limit answers 429 with Retry-After", "[webhook_ingress]") {
  Hooks hooks;
  CHECK(hooks.post("/hooks/limited", "{}").status == 202);
  CHECK(hooks.post("/hooks/limited", "{}").status == 202);
  auto refused = hooks.post("/hooks/limited", "{}");
  CHECK(refused.status == 429);
  CHECK(refused.body["error"]["code"] == "rate_limited");
  REQUIRE(refused.headers.count("Retry-After"));
  int seconds = std::stoi(refused.headers["Retry-After"]);
  CHECK(seconds >= 1);
  CHECK(seconds <= 30);
  CHECK(hooks.post("/hooks/open/form", "{}").status == 202);  // other routes are not limited
}

TEST_CASE("GET /v1/webhooks/deliveries needs the token, filters and pages", "[webhook_ingress]") {
  Hooks hooks;
  hooks.github(kPush, "a");
  hooks.github(kPush, "a");
  hooks.github(kPush, "b", "push", "sha256=00");
  hooks.post("/hooks/open/form", "{}");
  auto get = [&](const std::string& target) {
    return hooks.router.handle({"GET", target, {{"authorization", "Bearer token"}}, "", ""});
  };
  CHECK(hooks.router.handle({"GET", "/v1/webhooks/deliveries", {}, "", ""}).status == 401);
  auto all = get("/v1/webhooks/deliveries");
  REQUIRE(all.status == 200);
  REQUIRE(all.body["deliveries"].size() == 4);
  CHECK(all.body["next_cursor"].is_null());
  auto github = get("/v1/webhooks/deliveries?route=/hooks/github");
  REQUIRE(github.body["deliveries"].size() == 3);
  const json& newest = github.body["deliveries"][0];
  CHECK(newest["status"] == 401);
  CHECK(newest["verified"] == false);
  CHECK(newest["error"] == "malformed header X-Hub-Signature-256");
  const json& duplicate = github.body["deliveries"][1];
  CHECK(duplicate["status"] == 200);
  CHECK(duplicate["dedup_hit"] == true);
  CHECK(duplicate["dedup_key"] == "a");
  CHECK(duplicate["verified"] == true);
  CHECK(duplicate["provider"] == "github");
  CHECK(duplicate["run_id"] == github.body["deliveries"][2]["run_id"]);
  CHECK(duplicate["duration_ms"].is_number());
  CHECK(duplicate["remote"] == "10.0.0.7");
  CHECK(get("/v1/webhooks/deliveries?status=401").body["deliveries"].size() == 1);
  auto page = get("/v1/webhooks/deliveries?limit=3");
  REQUIRE(page.body["deliveries"].size() == 3);
  std::string cursor = page.body["next_cursor"];
  auto rest = get("/v1/webhooks/deliveries?limit=3&cursor=" + cursor);
  REQUIRE(rest.body["deliveries"].size() == 1);
  CHECK(rest.body["deliveries"][0]["route"] == "/hooks/github");
  CHECK(rest.body["deliveries"][0]["status"] == 202);
  CHECK(get("/v1/webhooks/deliveries?limit=0").status == 400);
}
