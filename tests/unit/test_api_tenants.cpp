// Tenant-scoped API tokens: a scoped token starts runs in its tenant and
// sees only them (another tenant's run is a 404 on every route); an
// unscoped token sees all. Also the token entry syntax.
#include <catch2/catch.hpp>

#include "api/auth_tokens.hpp"
#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::api::ApiToken;
using weft::testing::Api;
using weft::testing::check_error;

namespace {

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

}  // namespace

TEST_CASE("token entries: TOKEN or TOKEN tenant=NAME, in a list or a file", "[api][auth]") {
  using weft::api::parse_token_entry;
  using weft::api::parse_token_file;
  using weft::api::parse_token_list;
  CHECK(parse_token_entry("abc").token == "abc");
  CHECK(parse_token_entry("abc").tenant.empty());
  auto scoped = parse_token_entry("  abc   tenant=acme-1 ");
  CHECK(scoped.token == "abc");
  CHECK(scoped.tenant == "acme-1");
  CHECK_THROWS_WITH(parse_token_entry("abc tenant="), Catch::Contains("tenant name"));
  CHECK_THROWS_WITH(parse_token_entry("abc tenant=a/b"), Catch::Contains("tenant name"));
  CHECK_THROWS_WITH(parse_token_entry("abc acme"), Catch::Contains("tenant=NAME"));

  auto listed = parse_token_list("admin, acme-token tenant=acme,,globex-token tenant=globex");
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].tenant.empty());
  CHECK(listed[1].token == "acme-token");
  CHECK(listed[2].tenant == "globex");
  CHECK_THROWS_WITH(parse_token_list("a,b tenant=,c"), Catch::StartsWith("entry 2:"));

  auto filed = parse_token_file(
      "# API tokens\n\nadmin   # sees all\r\n  acme-token tenant=acme  \nx#y\n# end\n");
  REQUIRE(filed.size() == 3);
  CHECK(filed[0].token == "admin");
  CHECK(filed[0].tenant.empty());
  CHECK(filed[1].tenant == "acme");
  CHECK(filed[2].token == "x#y");  // '#' inside a token is not a comment
  CHECK_THROWS_WITH(parse_token_file("ok\nbad x\n"), Catch::StartsWith("line 2:"));
}

TEST_CASE("a tenant-scoped token sees and starts only its tenant's runs", "[api][auth][tenant]") {
  Api api({{"admin", ""}, {"acme-token", "acme"}, {"globex-token", "globex"}});
  auto acme = bearer("acme-token"), globex = bearer("globex-token"), admin = bearer("admin");
  auto started = api("POST", "/v1/workflows/approval/runs", "{}", acme);
  REQUIRE(started.status == 201);
  CHECK(started.body["tenant"] == "acme");
  std::string id = started.body["id"];
  std::string globex_id = api("POST", "/v1/workflows/hello/runs", "{}", globex).body["id"];
  std::string admin_id = api("POST", "/v1/workflows/hello/runs", "{}", admin).body["id"];
  api.fx.settle();

  CHECK(api("GET", "/v1/runs/" + id, "", acme).status == 200);
  check_error(api("GET", "/v1/runs/" + id, "", globex), 404, "run_not_found");
  check_error(api("GET", "/v1/runs/" + id + "/history", "", globex), 404, "run_not_found");
  check_error(api("POST", "/v1/runs/" + id + "/events/approval", "{}", globex), 404,
              "run_not_found");
  check_error(api("POST", "/v1/runs/" + id + "/cancel", "", globex), 404, "run_not_found");
  check_error(api("POST", "/v1/runs/" + id + "/retry", "", globex), 404, "run_not_found");
  check_error(api("GET", "/v1/runs/" + admin_id, "", acme), 404, "run_not_found");
  CHECK(api("GET", "/v1/runs/" + id, "", admin).status == 200);
  CHECK(api("GET", "/v1/runs/" + globex_id, "", admin).status == 200);
  CHECK(api.fx.run(id).status == weft::engine::RunStatus::Waiting);  // untouched

  auto acme_runs = api("GET", "/v1/runs", "", acme).body["runs"];
  REQUIRE(acme_runs.size() == 1);
  CHECK(acme_runs[0]["id"] == id);
  CHECK(api("GET", "/v1/runs?workflow=hello", "", acme).body["runs"].empty());
  CHECK(api("GET", "/v1/runs", "", globex).body["runs"].size() == 1);
  CHECK(api("GET", "/v1/runs", "", admin).body["runs"].size() == 3);
  CHECK(api("GET", "/v1/workflows", "", acme).status == 200);

  CHECK(api("POST", "/v1/runs/" + id + "/events/approval", R"({"approved":true})", acme).status ==
        202);
  api.fx.settle();
  CHECK(api("GET", "/v1/runs/" + id, "", acme).body["status"] == "completed");
}

TEST_CASE("replay, frames and fork of another tenant's run are not found, and a fork keeps its tenant",
          "[api][auth][tenant][fork]") {
  Api api({{"acme-token", "acme"}, {"globex-token", "globex"}});
  auto acme = bearer("acme-token"), globex = bearer("globex-token");
  std::string id = api("POST", "/v1/workflows/approval/runs", "{}", acme).body["id"];
  api.fx.settle();
  check_error(api("POST", "/v1/runs/" + id + "/replay", "{}", globex), 404, "run_not_found");
  check_error(api("GET", "/v1/runs/" + id + "/frames/1", "", globex), 404, "run_not_found");
  check_error(api("POST", "/v1/runs/" + id + "/fork", R"({"from_step":1})", globex), 404, "run_not_found");
  check_error(api("POST", "/v1/runs/" + id + "/retry", R"({"version":"latest"})", globex), 404,
              "run_not_found");
  CHECK(api("POST", "/v1/runs/" + id + "/replay", "{}", acme).status == 200);

  auto forked = api("POST", "/v1/runs/" + id + "/fork", R"({"from_step":1})", acme);
  REQUIRE(forked.status == 201);
  CHECK(forked.body["fork"]["tenant"] == "acme");
  CHECK(api("GET", "/v1/runs?forked_from=" + id, "", globex).body["runs"].empty());
  CHECK(api("GET", "/v1/runs?forked_from=" + id, "", acme).body["runs"].size() == 1);
}

TEST_CASE("idempotency keys are scoped by tenant", "[api][auth][tenant][idempotency]") {
  Api api({{"acme-token", "acme"}, {"globex-token", "globex"}});
  auto acme = bearer("acme-token"), globex = bearer("globex-token");
  acme["idempotency-key"] = globex["idempotency-key"] = "k1";
  auto a = api("POST", "/v1/workflows/hello/runs", R"({"n":1})", acme);
  auto g = api("POST", "/v1/workflows/hello/runs", R"({"n":2})", globex);
  CHECK(a.status == 201);
  CHECK(g.status == 201);  // not a conflict: another tenant's key space
  CHECK(a.body["id"] != g.body["id"]);
  CHECK(api("POST", "/v1/workflows/hello/runs", R"({"n":1})", acme).body["id"] == a.body["id"]);
}

TEST_CASE("reloading the workflows is for unscoped tokens only", "[api][auth]") {
  Api api({ApiToken{"ops", ""}, ApiToken{"acme-token", "acme"}});
  check_error(api("POST", "/v1/admin/reload", "", bearer("acme-token")), 403, "forbidden");
  auto reloaded = api("POST", "/v1/admin/reload", "", bearer("ops"));
  CHECK(reloaded.status == 200);
  CHECK(reloaded.body["workflows"].size() == 2);
  CHECK(reloaded.body["problems"].empty());
}
