// weft.webhook triggers and weft.verify descriptors: what a valid
// declaration yields, and the load problems a bad one reports.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/engine_fixture.hpp"

using weft::testing::EngineFixture;

namespace {

std::string workflow(const std::string& name, const std::string& trigger) {
  return "local weft = require \"weft\"\nreturn weft.workflow { name = \"" + name + "\",\n  on = { " +
         trigger + " },\n  run = function(ctx, input) return input end }\n";
}

// The load problem of a workflow with this trigger ("" when it loads).
std::string problem(const std::string& trigger) {
  EngineFixture fx;
  try {
    fx.write_workflow("w", workflow("w", trigger));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("weft.webhook declares a route with verify, dedup, limit and event", "[webhook_spec]") {
  EngineFixture fx;
  fx.write_workflow("gh", workflow("gh", R"(weft.cron "0 * * * *",
    weft.webhook { path = "/hooks/github", verify = weft.verify.github "github.webhook",
                   dedup = "header:X-GitHub-Delivery", limit = { rate = 5, per = "1s" },
                   event = function(req) return req.json end })"));
  auto route = fx.catalog->webhook("/hooks/github");
  REQUIRE(route);
  CHECK(route->script.workflow == "gh");
  const auto& spec = route->spec;
  REQUIRE(spec.verify);
  CHECK(spec.verify->preset == "github");
  CHECK(spec.verify->secret == "github.webhook");
  CHECK(spec.dedup == "header:X-GitHub-Delivery");
  REQUIRE(spec.limit);
  CHECK(spec.limit->rate == 5);
  CHECK(spec.limit->per_ms == 1000);
  CHECK(spec.has_event);
  CHECK(spec.trigger_index == 2);
  CHECK_THAT(spec.where, Catch::EndsWith("gh.lua:4"));
  CHECK(route->script.schedules.size() == 1);
  CHECK_FALSE(fx.catalog->webhook("/hooks/other"));
}

TEST_CASE("weft.verify presets take a secret name or an options table", "[webhook_spec]") {
  EngineFixture fx;
  fx.write_workflow("h", workflow("h", R"(weft.webhook { path = "/hooks/crm", dedup = "json:lead.id",
      verify = weft.verify.hmac { secret = "crm.webhook", header = "X-CRM-Signature",
                                  algorithm = "sha512", prefix = "v1=", tolerance = 60 } })"));
  auto spec = fx.catalog->webhook("/hooks/crm")->spec;
  REQUIRE(spec.verify);
  CHECK(spec.verify->preset == "hmac");
  CHECK(spec.verify->options.header == "X-CRM-Signature");
  CHECK(spec.verify->options.algorithm == "sha512");
  CHECK(spec.verify->options.prefix == "v1=");
  CHECK(spec.verify->options.tolerance_seconds == 60);
  CHECK_FALSE(spec.has_event);
  CHECK(problem(R"(weft.webhook { path = "/hooks/open", verify = false })").empty());
  for (const char* preset : {"github", "slack", "stripe", "shopify", "twilio", "standard"})
    CHECK(problem("weft.webhook { path = \"/hooks/p\", verify = weft.verify." + std::string(preset) +
                  " \"s\" }") == "");
  CHECK(problem(R"(weft.webhook { path = "/hooks/p", verify = weft.verify.rsa_sha256 { secret = "pem", header = "X-Sig" } })") == "");
}

TEST_CASE("bad webhook declarations are load problems naming the field", "[webhook_spec]") {
  CHECK_THAT(problem(R"(weft.webhook { path = "/github", verify = false })"),
             Catch::Contains("w.lua:3") && Catch::Contains("path"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x" })"), Catch::Contains("verify: required"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = true })"), Catch::Contains("verify: required"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = false, dedup = "X-Id" })"),
             Catch::Contains("dedup"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = false, event = 3 })"),
             Catch::Contains("event"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = false, limit = { per = "1s" } })"),
             Catch::Contains("limit"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = false, pth = "/hooks/y" })"),
             Catch::Contains("unknown field 'pth'"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = weft.verify.github() })"),
             Catch::Contains("secret"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = weft.verify.hmac "s" })"),
             Catch::Contains("header"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = { preset = "nope", secret = "s" } })"),
             Catch::Contains("unknown preset 'nope'"));
  CHECK_THAT(problem(R"(weft.webhook { path = "/hooks/x", verify = false },
                        weft.webhook { path = "/hooks/x", verify = false })"),
             Catch::Contains("declared twice"));
}

TEST_CASE("a webhook path declared by two workflows: the second is skipped with file:line", "[webhook_spec]") {
  EngineFixture fx;
  auto dir = fx.dir.path() / "workflows";
  std::ofstream(dir / "a.lua") << workflow("a", R"(weft.webhook { path = "/hooks/same", verify = false })");
  std::ofstream(dir / "b.lua") << workflow("b", R"(weft.webhook { path = "/hooks/same", verify = false })");
  auto problems = fx.catalog->add_folder();
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("b.lua:3") && Catch::Contains("/hooks/same") &&
                              Catch::Contains("workflow 'a'"));
  CHECK(fx.catalog->by_name("a"));
  CHECK_FALSE(fx.catalog->by_name("b"));
  CHECK(fx.catalog->webhook("/hooks/same")->script.workflow == "a");
}

TEST_CASE("require \"weft.webhook\" still verifies inside workflows beside weft.webhook", "[webhook_spec]") {
  EngineFixture fx;
  fx.write_workflow("v", R"(local weft = require "weft"
local webhook = require "weft.webhook"
return weft.workflow { name = "v", run = function(ctx, input)
  local ok, why = webhook.verify("github", { headers = { ["X-Hub-Signature-256"] = "sha256=00" }, body = "x" },
                                 { secret = "s" })
  return { ok = ok, why = why, trigger = type(weft.webhook), verify = type(weft.verify.github) }
end })");
  auto done = fx.run(fx.start("v").id);
  CHECK(done.status == weft::engine::RunStatus::Completed);
  CHECK(done.result["ok"] == false);
  CHECK(done.result["trigger"] == "function");
  CHECK(done.result["verify"] == "function");
}
