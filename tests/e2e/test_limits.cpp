// Rate limits end to end: two `weft serve` on one database draw from one
// limit (a local provider counts what reaches it), per-key buckets keep
// users apart, and GET /v1/limits and `weft limits` show the state.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;
using weft::testing::request;
using weft::testing::ServeProcess;
using weft::testing::TempDir;

namespace {

// Each run takes a token of "provider" and one of its user's own bucket,
// then calls the provider once.
std::string limited_workflow(const std::string& provider) {
  return R"lua(
local weft = require "weft"
local http = require "weft.http"
return weft.workflow {
  name = "limited",
  limits = { provider = { rate = 6, per = "1h" }, ["user:*"] = { rate = 2, per = "1h" } },
  run = function(ctx, input)
    ctx:acquire({ "provider", "user:" .. input.user })
    return ctx:step("call", function()
      return http.post(")lua" + provider + R"lua(/call", { json = input, raise = true }).status
    end)
  end,
}
)lua";
}

int count_status(const ServeProcess& serve, const std::vector<std::string>& ids, const std::string& status) {
  int n = 0;
  for (const auto& id : ids) n += request("GET", serve.url("/v1/runs/" + id)).json_body()["status"] == status;
  return n;
}

}  // namespace

TEST_CASE("two weft serve on one database admit no more than one limit between them", "[e2e][limits]") {
  TempDir dir;
  FakeServer provider;
  provider.on("POST", "/call", [](const auto&) { return FakeResponse::json(200, json::object()); });
  std::filesystem::create_directories(dir.path() / "workflows");
  std::ofstream(dir.path() / "workflows" / "limited.lua") << limited_workflow(provider.url(""));
  ServeProcess first(dir.path() / "workflows", dir.path() / "weft.db", {"--workers", "2"});
  ServeProcess second(dir.path() / "workflows", dir.path() / "weft.db", {"--workers", "2"});
  // 10 users, 2 runs each, half sent to each server: 20 runs, 6 tokens.
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    const ServeProcess& serve = i % 2 ? second : first;
    auto reply = request("POST", serve.url("/v1/workflows/limited/runs"), json{{"user", i % 10}, {"n", i}}.dump());
    REQUIRE(reply.status == 201);
    ids.push_back(reply.json_body()["id"]);
  }
  for (int round = 0; round < 500; ++round) {
    if (count_status(first, ids, "completed") + count_status(first, ids, "sleeping") == 20) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(count_status(first, ids, "completed") == 6);
  CHECK(count_status(first, ids, "sleeping") == 14);  // waiting durably for a token
  CHECK(provider.request_count("/call") == 6);        // not 6 per server

  auto limits = request("GET", second.url("/v1/limits")).json_body()["limits"];
  json provider_limit;
  int user_keys = 0;
  for (const auto& limit : limits) {
    if (limit["key"] == "provider") provider_limit = limit;
    if (limit.value("declared_as", "") == "user:*") ++user_keys;
  }
  REQUIRE(provider_limit.is_object());
  CHECK(provider_limit["waiting"] == 14);
  CHECK(provider_limit["available"].get<double>() < 1);
  CHECK(provider_limit["rate"] == 6);
  CHECK(user_keys >= 6);  // each user that drew has a bucket of its own

  weft::testing::WeftCli weft;
  weft.db = (dir.path() / "weft.db").string();
  auto listed = weft({"limits", "--json"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  bool found = false;
  for (const auto& limit : json::parse(listed.out)) found = found || (limit["key"] == "provider" && limit["waiting"] == 14);
  CHECK(found);
}

TEST_CASE("per-user buckets: one user over its limit does not hold back another", "[e2e][limits]") {
  TempDir dir;
  FakeServer provider;
  provider.on("POST", "/call", [](const auto&) { return FakeResponse::json(200, json::object()); });
  std::filesystem::create_directories(dir.path() / "workflows");
  std::ofstream(dir.path() / "workflows" / "limited.lua") << limited_workflow(provider.url(""));
  ServeProcess serve(dir.path() / "workflows", dir.path() / "weft.db");
  std::vector<std::string> heavy, light;
  for (int i = 0; i < 4; ++i)
    heavy.push_back(request("POST", serve.url("/v1/workflows/limited/runs"), json{{"user", "heavy"}}.dump()).json_body()["id"]);
  light.push_back(request("POST", serve.url("/v1/workflows/limited/runs"), json{{"user", "light"}}.dump()).json_body()["id"]);
  for (int round = 0; round < 500; ++round) {
    if (count_status(serve, heavy, "completed") + count_status(serve, heavy, "sleeping") == 4 &&
        count_status(serve, light, "completed") == 1)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(count_status(serve, heavy, "completed") == 2);  // rate 2 per user
  CHECK(count_status(serve, heavy, "sleeping") == 2);
  CHECK(count_status(serve, light, "completed") == 1);
  auto token = request("GET", serve.url("/v1/limits?limit=0"));
  CHECK(token.status == 400);
}
