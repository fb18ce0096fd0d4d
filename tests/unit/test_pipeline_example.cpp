// examples/lead_pipeline.lua with a fake Slack on 127.0.0.1: the lead is
// stored raw, refined after ten minutes, stored, and announced; when Slack
// is down the optional notify step fails after its retries and the run
// still completes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fakes/fake_server.hpp"
#include "stdlib/secret_records.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;

namespace {

std::string example(const std::string& file) {
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/examples/" + file);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The example's two files in the fixture's folder, Slack's URL as its secret.
void install(EngineFixture& f, const FakeServer& slack) {
  std::ofstream(f.dir.path() / "workflows" / "lead_steps.lua") << example("lead_steps.lua");
  f.write_workflow("lead_pipeline", example("lead_pipeline.lua"));
  std::string url = slack.url("/services/T1/B1");
  weft::stdlib::put_secret_value(f.store->secrets(), *f.secret_keys, "", {"slack.webhook_url"}, url);
}

const json kLead = {{"id", "L-1"}, {"name", " Ada "}, {"email", "ADA@Acme.io"}, {"company", "Acme"}};

}  // namespace

TEST_CASE("the lead pipeline example stores, refines and announces a lead", "[pipeline][example]") {
  FakeServer slack;
  slack.on("POST", "/services/T1/B1", [](const auto&) { return FakeResponse::text(200, "ok"); });
  EngineFixture f;
  install(f, slack);
  auto run = f.start("lead_pipeline", kLead);
  CHECK(f.run(run.id).status == RunStatus::Sleeping);
  CHECK(f.store->documents().get_document("leads_raw", "L-1")->doc == kLead);
  CHECK(slack.requests().empty());
  f.advance(600'000);
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json{{"id", "L-1"}, {"score", 80}, {"notified", true}});
  CHECK(f.store->documents().get_document("leads", "L-1")->doc["email"] == "ada@acme.io");
  REQUIRE(slack.requests().size() == 1);
  json message = json::parse(slack.requests()[0].body);
  CHECK(message["text"] == "New lead: Ada");
  CHECK(message["blocks"][0]["text"]["text"] == "New lead: Ada");
}

TEST_CASE("the lead pipeline example completes when Slack is down", "[pipeline][example]") {
  FakeServer slack;
  slack.on("POST", "/services/T1/B1", [](const auto&) { return FakeResponse::fail(503); });
  EngineFixture f;
  install(f, slack);
  auto run = f.start("lead_pipeline", kLead);
  f.advance(600'000);
  f.advance(1'000);  // notify's second attempt
  f.advance(2'000);  // its third and last
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json{{"id", "L-1"}, {"score", 80}, {"notified", false}});
  CHECK(slack.requests().size() == 3);
  int failed = 0;
  for (const auto& e : f.history(run.id))
    if (e.name == "notify") failed += e.error.value("kind", "") == "http";
  CHECK(failed == 3);
}
