// weft serve's API features end to end: tenant-scoped tokens (env and
// --tokens-file), Idempotency-Key, body limits, run pages, dead letters
// and retry (over HTTP and with `weft retry`).
#include <catch2/catch.hpp>

#include <fstream>

#include "engine/store_open.hpp"
#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::run_command;
using weft::testing::Server;
using weft::testing::TempDir;

namespace {

// Step "b" fails (one attempt) until the document flags/b says ok.
const char* kFlaky = R"lua(local weft = require "weft"
local store = require "weft.store"
return weft.workflow { name = "flaky", retry = { attempts = 1 },
  run = function(ctx, input)
    local a = ctx:step("a", function() return (input.n or 0) + 1 end)
    local b = ctx:step("b", function()
      local flag = store.get("flags", "b")
      if not (flag and flag.ok) then error("b is not ready") end
      return ctx.attempt
    end)
    return { a = a, b_attempt = b }
  end })lua";

}  // namespace

TEST_CASE("tenant-scoped tokens from --tokens-file and WEFT_API_TOKENS", "[e2e][serve][tenant]") {
  TempDir tokens_dir;
  auto tokens_file = (tokens_dir.path() / "tokens").string();
  std::ofstream(tokens_file) << "# tenants\nacme-token tenant=acme\n\nglobex-token tenant=globex\n";
  weft::testing::ServeOptions options;
  options.env = {{"WEFT_API_TOKENS", "admin-token"}};
  options.args = {"--tokens-file", tokens_file};
  Server server(options);

  CHECK(request("GET", server.url("/v1/runs")).status == 401);
  auto started = request("POST", server.url("/v1/workflows/waiter/runs"), "{}", "acme-token");
  REQUIRE(started.status == 201);
  CHECK(started.json_body()["tenant"] == "acme");
  std::string id = started.json_body()["id"];

  auto hidden = request("GET", server.url("/v1/runs/" + id), "", "globex-token");
  CHECK(hidden.status == 404);
  CHECK(hidden.json_body()["error"]["code"] == "run_not_found");
  CHECK(request("POST", server.url("/v1/runs/" + id + "/cancel"), "", "globex-token").status == 404);
  CHECK(request("GET", server.url("/v1/runs"), "", "globex-token").json_body()["runs"].empty());
  CHECK(request("GET", server.url("/v1/runs"), "", "acme-token").json_body()["runs"].size() == 1);
  CHECK(request("GET", server.url("/v1/runs/" + id), "", "admin-token").status == 200);

  CHECK(request("POST", server.url("/v1/runs/" + id + "/events/go"), R"({"value":1})", "acme-token")
            .status == 202);
  CHECK(server.await_status(id, "completed", "acme-token")["result"] == json{{"got", 1}});
}

TEST_CASE("weft serve refuses a malformed tokens file", "[e2e][serve][tenant]") {
  TempDir dir;
  auto tokens_file = (dir.path() / "tokens").string();
  std::ofstream(tokens_file) << "good\nbad tenant=no/slashes\n";
  auto result = run_command({WEFT_BINARY, "serve", "--listen", "127.0.0.1:0", "--db",
                             (dir.path() / "weft.db").string(), "--tokens-file", tokens_file});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("line 2: a tenant name"));
}

TEST_CASE("weft serve: idempotent starts, body limits, pages", "[e2e][serve]") {
  Server server;
  std::vector<std::string> key{"Idempotency-Key: signup-7"};
  auto first = request("POST", server.url("/v1/workflows/hello/runs"), R"({"name":"Ada"})", "", key);
  REQUIRE(first.status == 201);
  auto again = request("POST", server.url("/v1/workflows/hello/runs?wait=10"), R"({"name":"Ada"})",
                       "", key);
  CHECK(again.status == 200);  // replayed, and ended within the wait
  CHECK(again.headers["idempotent-replayed"] == "true");
  CHECK(again.json_body()["id"] == first.json_body()["id"]);
  auto conflict = request("POST", server.url("/v1/workflows/hello/runs"), R"({"name":"Bo"})", "", key);
  CHECK(conflict.status == 409);
  CHECK(conflict.json_body()["error"]["code"] == "idempotency_conflict");

  auto deep = request("POST", server.url("/v1/workflows/hello/runs"),
                      std::string(65, '[') + std::string(65, ']'));
  CHECK(deep.status == 400);
  CHECK(deep.json_body()["error"]["code"] == "json_too_deep");
  auto bad_utf8 = request("POST", server.url("/v1/workflows/hello/runs"), "{\"name\":\"\xc3\x28\"}");
  CHECK(bad_utf8.status == 400);
  CHECK(bad_utf8.json_body()["error"]["code"] == "invalid_utf8");

  for (int i = 0; i < 2; ++i) request("POST", server.url("/v1/workflows/hello/runs"), "{}");
  auto page = request("GET", server.url("/v1/runs?limit=2")).json_body();
  REQUIRE(page["runs"].size() == 2);
  REQUIRE(page["next_cursor"].is_string());
  auto rest = request("GET", server.url("/v1/runs?limit=2&cursor=" + page["next_cursor"].get<std::string>()))
                  .json_body();
  CHECK(rest["runs"].size() == 1);
  CHECK(rest["runs"][0]["id"] == first.json_body()["id"]);  // the oldest comes last
  CHECK(rest["next_cursor"].is_null());
  CHECK(request("GET", server.url("/v1/runs?cursor=garbage")).status == 400);
  CHECK(request("GET", server.url("/v1/runs?since=2000-01-01T00:00:00Z")).json_body()["runs"].size() == 3);
}

TEST_CASE("weft serve: dead letters, retry over HTTP and weft retry", "[e2e][serve][redrive]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"flaky", kFlaky}};
  Server server(options);
  std::string by_http = request("POST", server.url("/v1/workflows/flaky/runs"), "{}").json_body()["id"];
  std::string by_cli = request("POST", server.url("/v1/workflows/flaky/runs"), R"({"n":1})").json_body()["id"];
  server.await_status(by_http, "failed");
  server.await_status(by_cli, "failed");
  auto letters = request("GET", server.url("/v1/dead-letters?workflow=flaky")).json_body()["dead_letters"];
  REQUIRE(letters.size() == 2);
  CHECK(letters[0]["id"] == by_cli);  // newest first
  CHECK(letters[0]["failed_step"]["name"] == "b");
  CHECK(request("POST", server.url("/v1/runs/" + by_http + "/retry")).status == 202);
  CHECK(server.await_status(by_http, "failed")["status"] == "failed");  // still not ready

  {  // the flag, written beside the server (SQLite in WAL mode)
    auto store_owner = weft::engine::open_store(server.db());
    auto& store = *store_owner;
    store.documents().put_document("flags", "b", {{"ok", true}}, -1, 0);
  }
  auto retried = request("POST", server.url("/v1/runs/" + by_http + "/retry"));
  CHECK(retried.status == 202);
  auto done = server.await_status(by_http, "completed");
  CHECK(done["result"] == json{{"a", 1}, {"b_attempt", 5}});  // 1, marker 2, 3, marker 4, 5

  auto cli = run_command({WEFT_BINARY, "retry", by_cli, "--db", server.db()});
  CHECK(cli.exit_code == 0);
  CHECK_THAT(cli.out, Catch::Contains("retrying " + by_cli));
  CHECK(server.await_status(by_cli, "completed")["result"] == json{{"a", 2}, {"b_attempt", 3}});
  CHECK(request("GET", server.url("/v1/dead-letters")).json_body()["dead_letters"].empty());
  auto not_failed = run_command({WEFT_BINARY, "retry", by_cli, "--db", server.db()});
  CHECK(not_failed.exit_code == 1);
  CHECK_THAT(not_failed.err, Catch::Contains("has not failed"));
  CHECK(request("POST", server.url("/v1/runs/" + by_cli + "/retry")).json_body()["error"]["code"] ==
        "run_not_failed");
}
