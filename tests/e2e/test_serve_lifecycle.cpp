// weft serve over its life: SIGTERM in the middle of a burst of starts
// and webhook deliveries
// loses nothing that was accepted (every 2xx has its run, and a restarted
// server finishes them), and reloading workflows (SIGHUP or the admin
// route) gives new runs the new version while runs in flight keep theirs.
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "stdlib/crypto_primitives.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/serve_process.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::ServeProcess;
using weft::testing::TempDir;

namespace {

const char* kBurst = R"(local weft = require "weft"
return weft.workflow { name = "burst", run = function(ctx, input)
  local total = 0
  for i = 1, 5 do total = total + ctx:step("s" .. i, function() return i end) end
  return { total = total, n = input.n }
end })";

const char* kHook = R"(local weft = require "weft"
return weft.workflow { name = "hook", on = { weft.webhook {
    path = "/hooks/burst", verify = weft.verify.github "burst.secret",
    dedup = "header:X-GitHub-Delivery" } },
  run = function(ctx, input)
    return { total = ctx:step("one", function() return 15 end), n = input.n }
  end })";

std::vector<std::string> github_headers(const std::string& body, const std::string& delivery) {
  using namespace weft::stdlib::crypto;
  return {"X-Hub-Signature-256: sha256=" + hex_encode(hmac("sha256", "burst-secret", body)),
          "X-GitHub-Delivery: " + delivery};
}

std::string versioned(const std::string& version) {
  return R"(local weft = require "weft"
return weft.workflow { name = "versioned", run = function(ctx, input)
  ctx:wait_event("go")
  return { version = ")" + version + R"(" }
end })";
}

json wait_for_status(const ServeProcess& server, const std::string& id, const std::string& status) {
  json run;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    auto reply = request("GET", server.url("/v1/runs/" + id));
    if (reply.status == 200) {
      run = reply.json_body();
      if (run["status"] == status) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return run;
}

}  // namespace

TEST_CASE("SIGTERM during a burst of starts and webhooks loses no accepted run",
          "[e2e][serve][shutdown]") {
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "burst.lua") << kBurst;
  std::ofstream(workflows / "hook.lua") << kHook;
  auto db = dir.path() / "weft.db";
  REQUIRE(weft::testing::run_command({WEFT_BINARY, "secrets", "set", "burst.secret", "--value",
                                      "burst-secret", "--db", db.string()})
              .exit_code == 0);

  std::mutex mutex;
  std::set<std::string> accepted;
  std::atomic<int> answered{0};
  std::atomic<int> deliveries{0};  // of them, webhook deliveries
  {
    ServeProcess server(workflows, db, {"--workers", "2"});
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; i < 200; ++i) {
          // Even clients start runs over the API, odd ones deliver webhooks.
          std::string body = json{{"n", c * 1000 + i}}.dump();
          auto reply = c % 2 == 0
                           ? request("POST", server.url("/v1/workflows/burst/runs"), body)
                           : request("POST", server.url("/hooks/burst"), body, "",
                                          github_headers(body, std::to_string(c * 1000 + i)));
          if (reply.status == 0) return;  // the server has stopped accepting
          if (reply.status / 100 != 2) continue;
          std::lock_guard lock(mutex);
          auto answer = reply.json_body();
          if (answer.contains("run_id")) deliveries++;
          accepted.insert((answer.contains("run_id") ? answer["run_id"] : answer["id"]).get<std::string>());
          answered++;
        }
      });
    }
    for (int i = 0; i < 1000 && answered < 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto ended = server.terminate();
    for (auto& client : clients) client.join();
    CHECK(ended.exit_code == 0);
    CHECK_THAT(ended.err, Catch::Contains(R"("msg":"stopped")"));
  }
  REQUIRE(accepted.size() >= 100);
  CHECK(deliveries > 0);

  ServeProcess restarted(workflows, db);
  for (const auto& id : accepted) {
    auto run = wait_for_status(restarted, id, "completed");
    INFO(run.dump());
    REQUIRE(run["status"] == "completed");
    CHECK(run["result"]["total"] == 15);
  }
  CHECK(restarted.terminate().exit_code == 0);
}

TEST_CASE("reloading workflows: new runs get the new version, runs in flight keep theirs",
          "[e2e][serve][reload]") {
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "versioned.lua") << versioned("v1");
  ServeProcess server(workflows, dir.path() / "weft.db");
  auto version_hash = [&] {
    return request("GET", server.url("/v1/workflows")).json_body()["workflows"][0]["version"];
  };
  auto start = [&] {
    auto reply = request("POST", server.url("/v1/workflows/versioned/runs"), "{}");
    REQUIRE(reply.status == 201);
    return reply.json_body()["id"].get<std::string>();
  };

  std::string first = start();
  json v1 = version_hash();
  std::ofstream(workflows / "versioned.lua") << versioned("v2");
  REQUIRE(::kill(server.process().pid(), SIGHUP) == 0);
  for (int i = 0; i < 500 && version_hash() == v1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(version_hash() != v1);
  std::string second = start();

  std::ofstream(workflows / "versioned.lua") << versioned("v3");
  auto reloaded = request("POST", server.url("/v1/admin/reload"));
  REQUIRE(reloaded.status == 200);
  CHECK(reloaded.json_body()["problems"].empty());
  std::string third = start();

  std::ofstream(workflows / "versioned.lua") << "return weft.workflow {";  // a broken edit
  auto broken = request("POST", server.url("/v1/admin/reload"));
  CHECK(broken.json_body()["problems"].size() == 1);
  CHECK_THAT(broken.json_body()["problems"][0].get<std::string>(), Catch::Contains("versioned.lua"));
  REQUIRE(broken.json_body()["workflows"].size() == 1);  // the last good version still serves
  std::string fourth = start();

  for (const auto& id : {first, second, third, fourth})
    REQUIRE(request("POST", server.url("/v1/runs/" + id + "/events/go"), "{}").status == 202);
  CHECK(wait_for_status(server, first, "completed")["result"]["version"] == "v1");
  CHECK(wait_for_status(server, second, "completed")["result"]["version"] == "v2");
  CHECK(wait_for_status(server, third, "completed")["result"]["version"] == "v3");
  CHECK(wait_for_status(server, fourth, "completed")["result"]["version"] == "v3");
  CHECK(server.terminate().exit_code == 0);
}

TEST_CASE("a SIGTERM or SIGHUP that comes as soon as the banner is out is handled, not fatal",
          "[e2e][serve][shutdown]") {
  // The signal handlers are in place before the banner: a supervisor that
  // stops or reloads the server the moment it reports ready gets a graceful
  // stop (exit 0) or a reload, never death by the signal.
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "burst.lua") << kBurst;
  const std::string banner = "weft serving on http://127.0.0.1:";
  for (int i = 0; i < 12; ++i) {
    bool hangup = i % 2 == 1;
    CAPTURE(i, hangup);
    weft::testing::Process serve({WEFT_BINARY, "serve", "--listen", "127.0.0.1:0", "--workflows",
                                  workflows.string(), "--db", (dir.path() / "weft.db").string()});
    // No sleep between looks: the signal must follow the banner closely.
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline &&
           (out.find(banner) == std::string::npos || out.back() != '\n'))
      out = serve.output_so_far();
    REQUIRE(out.find(banner) != std::string::npos);
    REQUIRE(::kill(serve.pid(), hangup ? SIGHUP : SIGTERM) == 0);
    if (hangup) {  // reloaded, still serving
      std::string port = out.substr(out.find(banner) + banner.size());
      port = port.substr(0, port.find('\n'));
      CHECK(request("GET", "http://127.0.0.1:" + port + "/healthz").status == 200);
      REQUIRE(::kill(serve.pid(), SIGTERM) == 0);
    }
    auto ended = serve.wait(std::chrono::seconds(30));
    INFO(ended.err);
    CHECK(ended.exit_code == 0);
  }
}
