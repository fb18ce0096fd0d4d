// Issue 14 (tenancy and credentials) through the real binary: `weft
// secrets` and `weft blob` act on one namespace (--tenant), list expiry
// and meta but never values, refuse bad tenants and oversized or leaking
// meta; under `weft serve`, a run started with a tenant-scoped token reads
// its tenant's secrets and writes blobs only that tenant's token reads.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/serve_client.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::WeftCli;

namespace {

const char* kReader = R"lua(local weft = require "weft"
local secrets = require "weft.secrets"
local blob = require "weft.blob"
return weft.workflow { name = "reader", secrets = { "crm.*" }, run = function(ctx, input)
  return ctx:step("read", function()
    local ok, value = pcall(secrets.get, "crm.token")
    blob.put("seen/" .. (input.label or "x") .. ".txt", ok and ("len " .. #value) or value.kind)
    local listed = {}
    for _, s in ipairs(secrets.list("crm.")) do listed[#listed + 1] = s.name .. "@" .. tostring(s.expires_at) end
    return { len = ok and #value or value.kind, listed = listed }
  end)
end }
)lua";

}  // namespace

TEST_CASE("issue 14: weft secrets --tenant keeps one namespace per tenant and lists expiry and meta",
          "[e2e][secrets][tenant][cli]") {
  WeftCli weft;
  const std::string acme_value = "acme-refresh-token-e2e-4410";
  const std::string shared_value = "shared-refresh-token-e2e-9921";
  auto set = weft({"secrets", "set", "crm.token", "--tenant", "acme", "--value", acme_value, "--expires-at",
                   "2027-01-15T08:30:00Z", "--meta", R"({"provider":"dynamics","org":"acme-eu"})"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(set.out == "secret crm.token of tenant acme set\n");
  REQUIRE(weft({"secrets", "set", "crm.token", "--value", shared_value, "--expires-at", "1800000000"}).exit_code == 0);

  auto acme = weft({"secrets", "list", "--tenant", "acme"});
  REQUIRE(acme.exit_code == 0);
  CHECK_THAT(acme.out, Catch::Contains("crm.token"));
  CHECK_THAT(acme.out, Catch::Contains("2027-01-15T08:30:00Z"));
  CHECK_THAT(acme.out, Catch::Contains(R"({"org":"acme-eu","provider":"dynamics"})"));
  auto listed = json::parse(weft({"secrets", "list", "--tenant", "acme", "--json"}).out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "crm.token");
  CHECK(listed[0]["expires_at"] == "2027-01-15T08:30:00Z");
  CHECK(listed[0]["meta"] == json{{"provider", "dynamics"}, {"org", "acme-eu"}});
  auto shared = json::parse(weft({"secrets", "list", "--json"}).out);
  REQUIRE(shared.size() == 1);
  CHECK(shared[0]["expires_at"] == "2027-01-15T08:00:00Z");
  CHECK(json::parse(weft({"secrets", "list", "--tenant", "globex", "--json"}).out).empty());
  std::string printed = acme.out + set.out + weft({"secrets", "list"}).out;
  CHECK(printed.find(acme_value) == std::string::npos);
  CHECK(printed.find(shared_value) == std::string::npos);

  // Refused with a usage error, nothing stored.
  for (std::vector<std::string> bad : {
           std::vector<std::string>{"secrets", "set", "x", "--value", "v", "--tenant", "../acme"},
           std::vector<std::string>{"secrets", "set", "x", "--value", "v", "--tenant", ""},
           std::vector<std::string>{"secrets", "list", "--tenant", "acme/crm"},
           std::vector<std::string>{"secrets", "set", "x", "--value", "v", "--expires-at", "tomorrow"},
           std::vector<std::string>{"secrets", "set", "x", "--value", "v", "--meta", "[1,2]"},
           std::vector<std::string>{"secrets", "set", "x", "--value", "v", "--meta", "{"},
           std::vector<std::string>{"secrets", "set", "x", "--value", "v", "--meta",
                                    R"({"pad":")" + std::string(5000, 'a') + R"("})"},
           std::vector<std::string>{"secrets", "set", "x", "--value", "leaky-value", "--meta",
                                    R"({"copy":"leaky-value"})"},
           std::vector<std::string>{"secrets", "set", std::string("bad\x01name"), "--value", "v"},
           std::vector<std::string>{"secrets", "rotate-key", "--tenant", "acme"}}) {
    auto refused = weft(bad);
    INFO(bad.back() << ": " << refused.err);
    CHECK(refused.exit_code == 2);
  }
  CHECK(json::parse(weft({"secrets", "list", "--json"}).out).size() == 1);

  // A tenant's run reads its own value; a run without a tenant the shared one.
  std::string flow = weft.write("flows/reader.lua", kReader);
  auto shared_run = weft({"run", flow});
  REQUIRE(shared_run.exit_code == 0);
  CHECK(json::parse(shared_run.out)["len"] == shared_value.size());

  // Key rotation re-encrypts every namespace: both still open.
  REQUIRE(weft({"secrets", "rotate-key"}).exit_code == 0);
  CHECK(json::parse(weft({"run", flow, "--id", "after-rotation"}).out)["len"] == shared_value.size());

  CHECK(weft({"secrets", "delete", "crm.token", "--tenant", "globex"}).exit_code == 1);
  CHECK(weft({"secrets", "delete", "crm.token", "--tenant", "acme"}).exit_code == 0);
  CHECK(json::parse(weft({"secrets", "list", "--tenant", "acme", "--json"}).out).empty());
  CHECK(json::parse(weft({"secrets", "list", "--json"}).out).size() == 1);  // the shared one stays
}

TEST_CASE("issue 14: weft blob --tenant reads and writes one tenant's objects", "[e2e][blob][tenant][cli]") {
  WeftCli weft;
  std::string acme_file = weft.write("acme.txt", "acme's");
  std::string shared_file = weft.write("shared.txt", "shared");
  REQUIRE(weft({"blob", "put", "raw/a.txt", "--tenant", "acme", "--from-file", acme_file}).exit_code == 0);
  REQUIRE(weft({"blob", "put", "raw/a.txt", "--from-file", shared_file}).exit_code == 0);
  CHECK(weft({"blob", "get", "raw/a.txt", "--tenant", "acme"}).out == "acme's");
  CHECK(weft({"blob", "get", "raw/a.txt"}).out == "shared");
  CHECK(weft({"blob", "get", "raw/a.txt", "--tenant", "globex"}).exit_code == 1);
  auto listed = json::parse(weft({"blob", "list", "--tenant", "acme", "--json"}).out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["path"] == "raw/a.txt");
  CHECK(weft({"blob", "list", "--tenant", "no/slash"}).exit_code == 2);
  REQUIRE(weft({"blob", "delete", "raw/a.txt", "--tenant", "acme"}).exit_code == 0);
  CHECK(weft({"blob", "get", "raw/a.txt"}).out == "shared");
}

TEST_CASE("issue 14: under weft serve a tenant's run reads its secrets and its blobs only its token sees",
          "[e2e][secrets][blob][tenant]") {
  weft::testing::ServeOptions options;
  options.env = {{"WEFT_API_TOKENS", "ops,acme-token tenant=acme,globex-token tenant=globex"}};
  options.workflows = {{"reader", kReader}};
  weft::testing::Server server(options);
  for (auto [tenant, value] : {std::pair{"acme", "acme-value-123"}, std::pair{"", "shared-value-45678"}}) {
    std::vector<std::string> args = {WEFT_BINARY, "secrets", "set", "crm.token", "--value", value, "--db", server.db(),
                                     "--expires-at", "1900000000"};
    if (*tenant) args.insert(args.end(), {"--tenant", tenant});
    REQUIRE(weft::testing::run_command(args).exit_code == 0);
  }
  auto start = [&](const std::string& token, const std::string& label) {
    auto reply = request("POST", server.url("/v1/workflows/reader/runs?wait=20s"),
                         json{{"label", label}}.dump(), token);
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    REQUIRE(reply.json_body()["status"] == "completed");
    return reply.json_body()["result"];
  };
  json acme = start("acme-token", "acme");
  CHECK(acme["len"] == 14);
  CHECK(acme["listed"] == json::array({"crm.token@1900000000"}));
  json globex = start("globex-token", "globex");
  CHECK(globex["len"] == "not_found");
  CHECK(globex["listed"].empty());
  json shared = start("ops", "shared");
  CHECK(shared["len"] == 18);

  auto paths = [&](const std::string& token, const std::string& query = "") {
    std::vector<std::string> out;
    auto reply = request("GET", server.url("/v1/blobs" + query), "", token);
    REQUIRE(reply.status == 200);
    json body = reply.json_body();
    for (const auto& blob : body["blobs"]) out.push_back(blob["path"]);
    return out;
  };
  CHECK(paths("acme-token") == std::vector<std::string>{"seen/acme.txt"});
  CHECK(paths("globex-token") == std::vector<std::string>{"seen/globex.txt"});
  CHECK(paths("ops") == std::vector<std::string>{"seen/shared.txt"});
  CHECK(paths("ops", "?tenant=acme") == std::vector<std::string>{"seen/acme.txt"});
  CHECK(request("GET", server.url("/v1/blobs/seen/acme.txt"), "", "acme-token").body == "len 14");
  CHECK(request("GET", server.url("/v1/blobs/seen/acme.txt"), "", "globex-token").status == 404);
  CHECK(request("GET", server.url("/v1/blobs/seen/acme.txt?tenant=acme"), "", "globex-token").status == 403);
}
