// Issue 10 (items 9 and 12) through a real `weft serve`: a workflow reads
// only the secrets it declares (a webhook route's verification secret
// included), and a secret's value is in none of what a user can look at —
// the stored result and error, `weft history`, the API, stderr (logs and
// print) and /metrics. Also: load errors of declarations name the file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/serve_process.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::run_command;
using weft::testing::TempDir;

namespace {

const std::string kToken = "crm-e2e-token-5b8d1f07";
const std::string kHookSecret = "whsec-e2e-route-only-91c2";
const std::string kApi = "ops";

const char* kLeaky = R"lua(local weft = require "weft"
local secrets = require "weft.secrets"
return weft.workflow { name = "leaky", secrets = { "crm.token" }, retry = { attempts = 1 },
  run = function(ctx, input)
    local token
    ctx:step("read", function()
      token = secrets.get("crm.token")
      print("token is " .. token)
    end)
    if input.child then return ctx:child("sink", { token = token }) end  -- parks last: no replay after
    ctx:step("call " .. token, function() return 1 end)
    if input.fail then error("the CRM refused " .. token) end
    return { token = token }
  end }
)lua";

const char* kSink = R"lua(local weft = require "weft"
return weft.workflow { name = "sink", run = function(ctx, input) return input end }
)lua";

// Its route is verified with github.webhook, which its code may not read.
const char* kThief = R"lua(local weft = require "weft"
local secrets = require "weft.secrets"
return weft.workflow { name = "thief",
  on = { weft.webhook { path = "/hooks/thief", verify = weft.verify.github "github.webhook" } },
  run = function(ctx)
    local ok, err = pcall(ctx.step, ctx, "steal", function() return secrets.get("github.webhook") end)
    return ok and "stolen" or err.message
  end }
)lua";

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("issue 10: a secret's value is in no result, history, log line, print or metric",
          "[e2e][secrets]") {
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "leaky.lua") << kLeaky;
  std::ofstream(workflows / "sink.lua") << kSink;
  std::ofstream(workflows / "thief.lua") << kThief;
  std::string db = (dir.path() / "weft.db").string();
  for (auto [name, value] : {std::pair{"crm.token", kToken}, std::pair{"github.webhook", kHookSecret}})
    REQUIRE(run_command({WEFT_BINARY, "secrets", "set", name, "--value", value, "--db", db}).exit_code == 0);
  weft::testing::ServeProcess serve(workflows, db, {"--workers", "2", "--log-level", "info", "--log-format", "json"},
                                    {{"WEFT_API_TOKENS", kApi}});
  auto url = [&](const std::string& path) { return serve.url(path); };

  for (const auto& workflow : request("GET", url("/v1/workflows"), "", kApi).json_body()["workflows"]) {
    if (workflow["name"] == "leaky") CHECK(workflow["secrets"] == json::array({"crm.token"}));
    if (workflow["name"] == "thief") CHECK(workflow["secrets"] == json::array());
  }

  auto ok = request("POST", url("/v1/workflows/leaky/runs?wait=20s"), "{}", kApi);
  REQUIRE(ok.status == 200);
  json run = ok.json_body();
  INFO(ok.body);
  REQUIRE(run["status"] == "completed");
  CHECK(run["result"]["token"] == "[secret:crm.token]");
  auto to_child = request("POST", url("/v1/workflows/leaky/runs?wait=20s"), R"({"child":true})", kApi);
  REQUIRE(to_child.status == 200);
  CHECK(to_child.json_body()["result"]["token"] == "[secret:crm.token]");
  auto failed = request("POST", url("/v1/workflows/leaky/runs?wait=20s"), R"({"fail":true})", kApi);
  REQUIRE(failed.status == 200);
  CHECK(failed.json_body()["status"] == "failed");
  CHECK_THAT(failed.body, Catch::Contains("the CRM refused [secret:crm.token]"));

  auto thief = request("POST", url("/v1/workflows/thief/runs?wait=20s"), "{}", kApi);
  REQUIRE(thief.status == 200);
  CHECK_THAT(thief.json_body()["result"].get<std::string>(),
             Catch::Contains("workflow 'thief' does not declare secret 'github.webhook'"));

  std::string seen = ok.body + failed.body + thief.body + to_child.body;
  for (const std::string& id : {run["id"].get<std::string>(), failed.json_body()["id"].get<std::string>(),
                                to_child.json_body()["id"].get<std::string>(),
                                to_child.json_body()["id"].get<std::string>() + ".2"}) {
    for (std::string path : {"/v1/runs/" + id, "/v1/runs/" + id + "/history"}) {
      auto reply = request("GET", url(path), "", kApi);
      CHECK(reply.status == 200);
      seen += reply.body;
    }
    auto text = run_command({WEFT_BINARY, "history", id, "--db", db});
    auto as_json = run_command({WEFT_BINARY, "history", id, "--json", "--db", db});
    CHECK(text.exit_code == 0);
    if (id == run["id"]) CHECK_THAT(text.out, Catch::Contains("call [secret:crm.token]"));
    seen += text.out + text.err + as_json.out + as_json.err;
  }
  seen += request("GET", url("/v1/runs?limit=100"), "", kApi).body;
  auto metrics = request("GET", url("/metrics"), "", kApi);
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("step=\"call [secret:crm.token]\""));
  seen += metrics.body;
  CHECK(seen.find(kToken) == std::string::npos);
  CHECK(seen.find(kHookSecret) == std::string::npos);

  auto ended = serve.terminate();
  CHECK_THAT(ended.err, Catch::Contains("[lua] token is [secret:crm.token]"));
  CHECK_THAT(ended.err, Catch::Contains("the CRM refused [secret:crm.token]"));  // the `run ended` line
  CHECK(ended.err.find(kToken) == std::string::npos);
  CHECK(ended.out.find(kToken) == std::string::npos);
  // Nor anywhere in the database in clear (secrets are sealed).
  CHECK(file_text(db).find(kToken) == std::string::npos);
  CHECK(file_text(db + "-wal").find(kToken) == std::string::npos);
}

TEST_CASE("issue 10: weft serve names the file and line of a bad cron expression or retry policy",
          "[e2e][serve]") {
  TempDir dir;
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::ofstream(workflows / "bad_cron.lua") << R"lua(local weft = require "weft"
return weft.workflow { name = "bad_cron",
  on = { weft.cron "61 * * * *" },
  run = function(ctx) end }
)lua";
  std::ofstream(workflows / "bad_retry.lua") << R"lua(local weft = require "weft"

return weft.workflow { name = "bad_retry", retry = { attempts = 0 },
  run = function(ctx) end }
)lua";
  std::ofstream(workflows / "bad_secrets.lua") << R"lua(local weft = require "weft"
return weft.workflow { name = "bad_secrets", secrets = { "*" }, run = function(ctx) end }
)lua";
  weft::testing::ServeProcess serve(workflows, (dir.path() / "weft.db").string(), {"--log-format", "text"});
  auto ended = serve.terminate();
  INFO(ended.err);
  CHECK_THAT(ended.err, Catch::Contains("bad_cron.lua:3: "));
  CHECK_THAT(ended.err, Catch::Contains("bad_retry.lua:3: workflow 'bad_retry': retry.attempts"));
  CHECK_THAT(ended.err, Catch::Contains("bad_secrets.lua:2: workflow 'bad_secrets': secrets[1]"));
}
