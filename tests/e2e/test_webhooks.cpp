// Webhook ingress as GitHub sees it: a real `weft serve` on a loopback port
// with examples/github_webhook.lua, its secret set by `weft secrets set`,
// signed deliveries over HTTP, then the audit over the API.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "stdlib/crypto_primitives.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/serve_process.hpp"

using nlohmann::json;
using weft::testing::TempDir;

namespace {

const std::string kSecret = "e2e-webhook-secret";
const std::string kToken = "api-token";

const char* kLimited = R"(local weft = require "weft"
return weft.workflow { name = "limited",
  on = { weft.webhook { path = "/hooks/limited", verify = false, limit = { rate = 2, per = "1h" } } },
  run = function(ctx, input) return input end })";

using weft::testing::Reply;

// Requests with explicit header lines (no bearer token).
Reply http(const std::string& method, const std::string& url, const std::string& body,
           const std::vector<std::string>& header_lines) {
  return weft::testing::request(method, url, body, "", header_lines);
}

std::string github_signature(const std::string& body, const std::string& secret) {
  namespace c = weft::stdlib::crypto;
  return "sha256=" + c::hex_encode(c::hmac("sha256", secret, body));
}

struct WebhookServer {
  WebhookServer() {
    auto workflows = dir.path() / "workflows";
    std::filesystem::create_directories(workflows);
    std::filesystem::copy_file(std::string(WEFT_SOURCE_DIR) + "/examples/github_webhook.lua",
                               workflows / "github_webhook.lua");
    std::ofstream(workflows / "limited.lua") << kLimited;
    std::string db = (dir.path() / "weft.db").string();
    auto set = weft::testing::run_command(
        {WEFT_BINARY, "secrets", "set", "github.webhook", "--value", kSecret, "--db", db});
    REQUIRE(set.exit_code == 0);
    serve = std::make_unique<weft::testing::ServeProcess>(
        workflows, db, std::vector<std::string>{"--workers", "2"},
        std::map<std::string, std::string>{{"WEFT_API_TOKENS", kToken}});
    port = serve->port();
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }

  Reply github(const std::string& body, const std::string& delivery, const std::string& signature,
               const std::string& event = "pull_request") {
    return http("POST", url("/hooks/github"), body,
                {"Content-Type: application/json", "X-GitHub-Event: " + event,
                 "X-GitHub-Delivery: " + delivery, "X-Hub-Signature-256: " + signature});
  }

  json get(const std::string& path) {
    auto reply = http("GET", url(path), "", {"Authorization: Bearer " + kToken});
    REQUIRE(reply.status == 200);
    return reply.json_body();
  }

  json wait_finished(const std::string& run_id) {
    json run;
    for (int attempt = 0; attempt < 500; ++attempt) {
      run = get("/v1/runs/" + run_id);
      if (run["status"] == "completed" || run["status"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return run;
  }

  TempDir dir;
  std::unique_ptr<weft::testing::ServeProcess> serve;
  unsigned short port = 0;
};

const std::string kPullRequest =
    R"({"action":"opened","repository":{"full_name":"weft/engine"},"sender":{"login":"ada"}})";

}  // namespace

TEST_CASE("weft serve takes signed GitHub webhooks, dedups, limits and audits them", "[e2e][webhooks]") {
  WebhookServer server;

  auto started = server.github(kPullRequest, "delivery-1", github_signature(kPullRequest, kSecret));
  REQUIRE(started.status == 202);
  std::string run_id = started.json_body()["run_id"];
  auto run = server.wait_finished(run_id);
  CHECK(run["status"] == "completed");
  CHECK(run["input"] == json{{"event", "pull_request"}, {"action", "opened"},
                             {"repository", "weft/engine"}, {"sender", "ada"}});
  CHECK(run["result"]["summary"] == "pull_request opened on weft/engine by ada");

  auto forged = server.github(kPullRequest, "delivery-2", github_signature(kPullRequest, "guess"));
  CHECK(forged.status == 401);
  CHECK(forged.json_body()["error"]["code"] == "signature_invalid");

  auto again = server.github(kPullRequest, "delivery-1", github_signature(kPullRequest, kSecret));
  CHECK(again.status == 200);
  CHECK(again.json_body() == json{{"duplicate", true}, {"run_id", run_id}});

  // Concurrent redeliveries of a new delivery: one run.
  std::vector<std::thread> threads;
  std::vector<long> statuses(6);
  for (size_t i = 0; i < statuses.size(); ++i)
    threads.emplace_back([&, i] {
      statuses[i] = server.github(kPullRequest, "delivery-3", github_signature(kPullRequest, kSecret)).status;
    });
  for (auto& thread : threads) thread.join();
  CHECK(std::count(statuses.begin(), statuses.end(), 202) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 200) == 5);

  auto runs = server.get("/v1/runs?workflow=github_webhook")["runs"];
  CHECK(runs.size() == 2);

  auto ping = server.github(R"({"zen":"hi"})", "delivery-4", github_signature(R"({"zen":"hi"})", kSecret), "ping");
  CHECK(ping.status == 200);
  CHECK(ping.json_body() == json{{"ignored", true}});

  CHECK(http("POST", server.url("/hooks/limited"), "{}", {"Content-Type: application/json"}).status == 202);
  CHECK(http("POST", server.url("/hooks/limited"), "{}", {"Content-Type: application/json"}).status == 202);
  auto limited = http("POST", server.url("/hooks/limited"), "{}", {"Content-Type: application/json"});
  CHECK(limited.status == 429);
  REQUIRE_FALSE(limited.headers["retry-after"].empty());
  CHECK(std::stoi(limited.headers["retry-after"]) >= 1);

  CHECK(http("GET", server.url("/hooks/github"), "", {}).status == 405);
  CHECK(http("POST", server.url("/hooks/unknown"), "{}", {"Content-Type: application/json"}).status == 404);
  CHECK(http("POST", server.url("/hooks/github"), std::string(2 * 1024 * 1024, 'x'), {}).status == 413);

  CHECK(http("GET", server.url("/v1/webhooks/deliveries"), "", {}).status == 401);
  auto deliveries = server.get("/v1/webhooks/deliveries?route=/hooks/github")["deliveries"];
  REQUIRE(deliveries.size() == 10);  // newest first
  CHECK(deliveries[0]["outcome"] == "ignored");
  const json& first = deliveries[9];
  CHECK(first["status"] == 202);
  CHECK(first["verified"] == true);
  CHECK(first["provider"] == "github");
  CHECK(first["dedup_key"] == "delivery-1");
  CHECK(first["dedup_hit"] == false);
  CHECK(first["run_id"] == run_id);
  CHECK(first["remote"] == "127.0.0.1");
  const json& forged_record = deliveries[8];
  CHECK(forged_record["status"] == 401);
  CHECK(forged_record["verified"] == false);
  CHECK(forged_record["run_id"].is_null());
  const json& duplicate_record = deliveries[7];
  CHECK(duplicate_record["status"] == 200);
  CHECK(duplicate_record["dedup_hit"] == true);
  CHECK(duplicate_record["run_id"] == run_id);
  auto refused = server.get("/v1/webhooks/deliveries?status=429")["deliveries"];
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["route"] == "/hooks/limited");

  REQUIRE(::kill(server.serve->process().pid(), SIGTERM) == 0);
  CHECK(server.serve->process().wait(std::chrono::seconds(30)).exit_code == 0);
}
