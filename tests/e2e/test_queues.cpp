// Queues end to end: thousands of messages through POST
// /v1/queues/{name}/messages into a concurrency-10 queue, on one `weft
// serve` and on two sharing a database. A local provider counts the
// requests the runs make at once (never more than the queue's
// concurrency) and their order (priority first, then first come).
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;
using weft::testing::request;
using weft::testing::ServeProcess;
using weft::testing::TempDir;

namespace {

constexpr int kConcurrency = 10;
const std::vector<int> kPriorities = {0, 2, 4, 7, 9};

// Gate runs hold the queue's slots (count_parked) until "open": the
// messages sent meanwhile are all waiting when admission starts.
std::string sync_workflow(const std::string& provider) {
  return R"lua(
local weft = require "weft"
local http = require "weft.http"
return weft.workflow {
  name = "sync_inbound",
  on = { weft.queue { name = "sync-inbound", concurrency = 10, count_parked = true } },
  run = function(ctx, input)
    if input.gate then ctx:wait_event("open") return "gate" end
    ctx:step("push", function()
      return http.post(")lua" + provider + R"lua(/push", { json = input, raise = true }).status
    end)
  end,
}
)lua";
}

struct Provider {
  Provider() {
    server.on("POST", "/push", [](const auto&) {
      return FakeResponse::json(200, json::object()).after(std::chrono::milliseconds(2));
    });
  }
  FakeServer server;
};

json queue_of(const ServeProcess& serve) {
  auto queues = request("GET", serve.url("/v1/queues")).json_body()["queues"];
  for (const auto& queue : queues)
    if (queue["name"] == "sync-inbound") return queue;
  FAIL("no queue sync-inbound in " << queues.dump());
  return {};
}

// Sends the gates, then `count` messages spread over the priorities and
// the servers; opens the gates; waits until the
// provider has seen them all, sampling the queue's active count. Returns
// the (priority, order sent) of each message in the order the provider got them.
std::vector<std::pair<int, int>> push_through(std::vector<ServeProcess*> servers, Provider& provider, int count) {
  std::vector<std::string> gates;
  for (int i = 0; i < kConcurrency; ++i) {
    auto reply = request("POST", servers[i % servers.size()]->url("/v1/queues/sync-inbound/messages"),
                         json{{"gate", true}}.dump());
    REQUIRE(reply.status == 201);
    gates.push_back(reply.json_body()["id"]);
  }
  for (int round = 0; round < 500 && queue_of(*servers[0])["active"] != kConcurrency; ++round)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(queue_of(*servers[0])["active"] == kConcurrency);  // every gate holds its slot
  // One sender per priority, each in order: first come first served is
  // then the order of `seq` within a priority, whatever the interleaving.
  std::map<std::string, int> by_priority;
  std::vector<std::thread> senders;
  std::atomic<int> refused{0};
  for (size_t p = 0; p < kPriorities.size(); ++p) {
    int priority = kPriorities[p];
    int share = count / static_cast<int>(kPriorities.size());
    by_priority[std::to_string(priority)] = share;
    senders.emplace_back([&, p, priority, share] {
      for (int seq = 0; seq < share; ++seq) {
        auto reply = request("POST", servers[(p + seq) % servers.size()]->url("/v1/queues/sync-inbound/messages?priority=" +
                                                                          std::to_string(priority)),
                             json{{"seq", seq}, {"priority", priority}}.dump());
        if (reply.status != 201 || reply.json_body()["queue"]["priority"] != priority) ++refused;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  REQUIRE(refused == 0);
  CHECK(provider.server.request_count("/push") == 0);  // the gates hold every slot
  json before = queue_of(*servers[0]);
  CHECK(before["active"] == kConcurrency);
  CHECK(before["waiting"] == count);
  CHECK(before["waiting_by_priority"] == json(by_priority));
  for (size_t i = 0; i < gates.size(); ++i)
    REQUIRE(request("POST", servers[i % servers.size()]->url("/v1/runs/" + gates[i] + "/events/open"), "{}").status == 202);
  int64_t max_active = 0;
  for (int round = 0; round < 6000 && provider.server.request_count("/push") < static_cast<size_t>(count); ++round) {
    max_active = std::max<int64_t>(max_active, queue_of(*servers[round % servers.size()])["active"].get<int64_t>());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(provider.server.request_count("/push") == static_cast<size_t>(count));
  CHECK(max_active <= kConcurrency);
  CHECK(provider.server.max_in_flight() <= static_cast<size_t>(kConcurrency));
  std::vector<std::pair<int, int>> order;
  for (const auto& seen : provider.server.requests()) {
    json body = json::parse(seen.body);
    order.emplace_back(body["priority"].get<int>(), body["seq"].get<int>());
  }
  return order;
}

// Admission is strict; arrival at the provider may reorder the runs
// admitted together (at most the queue's concurrency apart).
void check_admission_order(const std::vector<std::pair<int, int>>& arrived) {
  auto expected = arrived;
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::map<std::pair<int, int>, long> rank;
  for (size_t i = 0; i < expected.size(); ++i) rank[expected[i]] = static_cast<long>(i);
  long worst = 0;
  for (size_t i = 0; i < arrived.size(); ++i) worst = std::max(worst, std::abs(rank[arrived[i]] - static_cast<long>(i)));
  CHECK(worst <= 2 * kConcurrency);
}

}  // namespace

TEST_CASE("5000 messages through a concurrency-10 queue: never more than 10 at once, priority then FIFO",
          "[e2e][queues]") {
  TempDir dir;
  Provider provider;
  std::filesystem::create_directories(dir.path() / "workflows");
  std::ofstream(dir.path() / "workflows" / "sync_inbound.lua") << sync_workflow(provider.server.url(""));
  ServeProcess serve(dir.path() / "workflows", dir.path() / "weft.db", {"--workers", "2"});
  auto arrived = push_through({&serve}, provider, 5000);
  check_admission_order(arrived);
  json after = queue_of(serve);
  CHECK(after["waiting"] == 0);
  CHECK(request("GET", serve.url("/v1/runs?workflow=sync_inbound&status=completed&limit=1")).status == 200);
  auto metrics = request("GET", serve.url("/metrics")).body;
  CHECK_THAT(metrics, Catch::Contains("weft_queue_admitted_total{queue=\"sync-inbound\"}"));
  CHECK_THAT(metrics, Catch::Contains("weft_queue_depth{queue=\"sync-inbound\"} 0"));
}

TEST_CASE("two weft serve on one database share one queue limit", "[e2e][queues]") {
  TempDir dir;
  Provider provider;
  std::filesystem::create_directories(dir.path() / "workflows");
  std::ofstream(dir.path() / "workflows" / "sync_inbound.lua") << sync_workflow(provider.server.url(""));
  ServeProcess first(dir.path() / "workflows", dir.path() / "weft.db", {"--workers", "2"});
  ServeProcess second(dir.path() / "workflows", dir.path() / "weft.db", {"--workers", "2"});
  auto arrived = push_through({&first, &second}, provider, 2000);
  check_admission_order(arrived);
}

TEST_CASE("queue messages: unknown queue, bad priority or delay, idempotency key", "[e2e][queues]") {
  TempDir dir;
  Provider provider;
  std::filesystem::create_directories(dir.path() / "workflows");
  std::ofstream(dir.path() / "workflows" / "sync_inbound.lua") << sync_workflow(provider.server.url(""));
  ServeProcess serve(dir.path() / "workflows", dir.path() / "weft.db");
  auto post = [&](const std::string& path, const std::string& body, std::vector<std::string> headers = {}) {
    return request("POST", serve.url(path), body, "", headers);
  };
  CHECK(post("/v1/queues/nope/messages", "{}").status == 404);
  CHECK(post("/v1/queues/sync-inbound/messages?priority=high", "{}").json_body()["error"]["code"] == "invalid_priority");
  CHECK(post("/v1/queues/sync-inbound/messages?priority=1001", "{}").status == 400);
  CHECK(post("/v1/queues/sync-inbound/messages?delay=-5", "{}").json_body()["error"]["code"] == "invalid_delay");
  CHECK(post("/v1/queues/sync-inbound/messages", "{not json").status == 400);
  auto first = post("/v1/queues/sync-inbound/messages?delay=1h", R"({"seq": 1, "priority": 0})", {"Idempotency-Key: m-1"});
  REQUIRE(first.status == 201);
  auto again = post("/v1/queues/sync-inbound/messages?delay=1h", R"({"seq": 1, "priority": 0})", {"Idempotency-Key: m-1"});
  CHECK(again.status == 200);
  CHECK(again.json_body()["id"] == first.json_body()["id"]);
  CHECK(queue_of(serve)["delayed"] == 1);
  CHECK(provider.server.request_count("/push") == 0);
  auto workflows = request("GET", serve.url("/v1/workflows")).json_body()["workflows"];
  bool listed = false;
  for (const auto& workflow : workflows)
    for (const auto& trigger : workflow["triggers"])
      listed = listed || (trigger["type"] == "queue" && trigger["name"] == "sync-inbound" && trigger["concurrency"] == 10);
  CHECK(listed);
}
