// weft.oauth2 against a fake token endpoint: the refresh-token grant with
// HTTP Basic and body client authentication, token rotation, and RFC 6749
// section 5.2 errors mapped to kinds (invalid_grant -> reauth_required).
#include <catch2/catch.hpp>

#include "stdlib/secret_records.hpp"
#include "tests/fakes/fake_server.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;

namespace {

const char* kRefresh = R"lua(
local weft = require "weft"
local oauth2 = require "weft.oauth2"
return weft.workflow {
  name = "refresh",
  retry = { attempts = 1 },
  run = function(ctx, input)
    return ctx:step("refresh", function()
      local ok, token = pcall(oauth2.refresh, {
        token_url = input.url, client_id = "my client", client_secret = "s3cr:t",
        refresh_token = "r1", auth = input.auth, scope = input.scope })
      if not ok then return { kind = token.kind, retryable = token.retryable, message = token.message } end
      token.expires_at = token.expires_at ~= nil
      return token
    end)
  end,
}
)lua";

json refresh(EngineFixture& f, const std::string& url, const std::string& auth = "basic") {
  auto run = f.run(f.start("refresh", {{"url", url}, {"auth", auth}}).id);
  INFO(run.error.dump());
  REQUIRE(run.status == RunStatus::Completed);
  return run.result;
}

std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    std::string pair = body.substr(start, end - start);
    auto eq = pair.find('=');
    fields[pair.substr(0, eq)] = pair.substr(eq + 1);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return fields;
}

}  // namespace

TEST_CASE("oauth2.refresh with HTTP Basic client authentication", "[oauth2]") {
  FakeServer server;
  server.on("POST", "/token", [](const auto&) {
    return FakeResponse::json(200, {{"access_token", "a2"}, {"token_type", "Bearer"},
                                    {"expires_in", 3600}, {"refresh_token", "r2"}});
  });
  EngineFixture f;
  f.write_workflow("refresh", kRefresh);
  json token = refresh(f, server.url("/token"));
  CHECK(token["access_token"] == "a2");
  CHECK(token["refresh_token"] == "r2");  // rotated
  CHECK(token["expires_in"] == 3600);
  CHECK(token["expires_at"] == true);
  auto request = server.requests().at(0);
  // RFC 6749 2.3.1: form-encode the id and secret, then Basic: "my+client:s3cr%3At"
  CHECK(request.headers["authorization"] == "Basic bXkrY2xpZW50OnMzY3IlM0F0");
  CHECK(request.headers["content-type"] == "application/x-www-form-urlencoded");
  auto fields = form_fields(request.body);
  CHECK(fields["grant_type"] == "refresh_token");
  CHECK(fields["refresh_token"] == "r1");
  CHECK(fields.count("client_secret") == 0);
}

TEST_CASE("oauth2.refresh with client credentials in the body keeps the old refresh token",
          "[oauth2]") {
  FakeServer server;
  server.on("POST", "/token", [](const auto&) {
    return FakeResponse::json(200, {{"access_token", "a2"}, {"expires_in", 60}});
  });
  EngineFixture f;
  f.write_workflow("refresh", kRefresh);
  json token = refresh(f, server.url("/token"), "body");
  CHECK(token["refresh_token"] == "r1");
  CHECK(token["token_type"] == "Bearer");
  auto request = server.requests().at(0);
  CHECK(request.headers.count("authorization") == 0);
  auto fields = form_fields(request.body);
  CHECK(fields["client_id"] == "my%20client");
  CHECK(fields["client_secret"] == "s3cr%3At");
}

namespace {

// A step calling `call` (an oauth2 function) with `opts` (Lua table text),
// answering the token or the error's kind, retryable and message.
std::string grant_workflow(const std::string& name, const std::string& call, const std::string& opts,
                           const std::string& after = "") {
  return R"lua(
local weft = require "weft"
local oauth2 = require "weft.oauth2"
local secrets = require "weft.secrets"
return weft.workflow {
  name = ")lua" + name + R"lua(", retry = { attempts = 1 }, secrets = { "crm.*" },
  run = function(ctx, input)
    return ctx:step("grant", function()
      local ok, token = pcall(oauth2.)lua" + call + ", " + opts + R"lua()
      if not ok then
        if type(token) ~= "table" then return { message = tostring(token) } end
        return { kind = token.kind, retryable = token.retryable, message = token.message }
      end
      )lua" + after + R"lua(
      token.expires_at = token.expires_at ~= nil
      return token
    end)
  end,
}
)lua";
}

json run_grant(EngineFixture& f, const std::string& name, const json& input, const std::string& tenant = "") {
  auto run = f.run(f.start(name, input, tenant).id);
  INFO(run.error.dump());
  REQUIRE(run.status == RunStatus::Completed);
  return run.result;
}

}  // namespace

TEST_CASE("issue 14: oauth2.client_credentials posts the scope, Azure AD style, with the client in the body",
          "[oauth2]") {
  FakeServer server;
  server.on("POST", "/tenant-id/oauth2/v2.0/token", [](const auto&) {
    return FakeResponse::json(200, {{"access_token", "d365"}, {"token_type", "Bearer"}, {"expires_in", 3599}});
  });
  EngineFixture f;
  f.write_workflow("cc", grant_workflow("cc", "client_credentials",
      "{ token_url = input.url, client_id = 'app-id', client_secret = 's3cr:t',"
      " scope = 'https://org.crm.dynamics.com/.default', auth = input.auth }"));
  json token = run_grant(f, "cc", {{"url", server.url("/tenant-id/oauth2/v2.0/token")}, {"auth", "body"}});
  CHECK(token["access_token"] == "d365");
  CHECK(token["expires_in"] == 3599);
  CHECK(token["expires_at"] == true);
  CHECK(token["scope"] == "https://org.crm.dynamics.com/.default");
  CHECK_FALSE(token.contains("refresh_token"));
  auto request = server.requests().at(0);
  CHECK(request.headers.count("authorization") == 0);
  auto fields = form_fields(request.body);
  CHECK(fields["grant_type"] == "client_credentials");
  CHECK(fields["scope"] == "https%3A%2F%2Forg.crm.dynamics.com%2F.default");
  CHECK(fields["client_id"] == "app-id");
  CHECK(fields["client_secret"] == "s3cr%3At");

  // HTTP Basic by default: no secret in the body.
  json basic = run_grant(f, "cc", {{"url", server.url("/tenant-id/oauth2/v2.0/token")}});
  CHECK(basic["access_token"] == "d365");
  auto second = server.requests().at(1);
  CHECK(second.headers["authorization"] == "Basic YXBwLWlkOnMzY3IlM0F0");
  CHECK(form_fields(second.body).count("client_secret") == 0);
}

TEST_CASE("issue 14: oauth2.exchange_code sends the code, redirect URI and PKCE verifier", "[oauth2]") {
  FakeServer server;
  server.on("POST", "/token", [](const auto&) {
    return FakeResponse::json(200, {{"access_token", "a1"}, {"expires_in", 60}, {"refresh_token", "r1"},
                                    {"scope", "crm.read"}});
  });
  EngineFixture f;
  f.write_workflow("code", grant_workflow("code", "exchange_code",
      "{ token_url = input.url, client_id = 'c', client_secret = 's', code = 'auth-code/1',"
      " redirect_uri = 'https://weft.example/hooks/oauth/callback', code_verifier = input.verifier }"));
  json token = run_grant(f, "code", {{"url", server.url("/token")}, {"verifier", "v3rifier-abc_123"}});
  CHECK(token["access_token"] == "a1");
  CHECK(token["refresh_token"] == "r1");
  CHECK(token["scope"] == "crm.read");
  auto fields = form_fields(server.requests().at(0).body);
  CHECK(fields["grant_type"] == "authorization_code");
  CHECK(fields["code"] == "auth-code%2F1");
  CHECK(fields["redirect_uri"] == "https%3A%2F%2Fweft.example%2Fhooks%2Foauth%2Fcallback");
  CHECK(fields["code_verifier"] == "v3rifier-abc_123");

  json without = run_grant(f, "code", {{"url", server.url("/token")}});  // PKCE is optional
  CHECK(without["access_token"] == "a1");
  CHECK(form_fields(server.requests().at(1).body).count("code_verifier") == 0);

  f.write_workflow("code_bad", grant_workflow("code_bad", "exchange_code",
      "{ token_url = input.url, client_id = 'c', client_secret = 's', code = 'x' }"));
  json refused = run_grant(f, "code_bad", {{"url", server.url("/token")}});
  CHECK_THAT(refused["message"].get<std::string>(),
             Catch::Contains("bad argument #1 to 'exchange_code' (field 'redirect_uri' (string) expected)"));
  CHECK(server.requests().size() == 2);
}

TEST_CASE("token endpoint errors map to kinds per RFC 6749 5.2", "[oauth2]") {
  // Every grant goes through one request function: refresh's rows, then the new grants' (issue 14).
  auto [call, status, body, kind, retryable] = GENERATE(table<std::string, int, std::string, std::string, bool>({
      {"refresh", 400, R"({"error":"invalid_grant","error_description":"refresh token revoked"})", "reauth_required", false},
      {"refresh", 401, R"({"error":"invalid_client"})", "auth_failed", false},
      {"refresh", 400, R"({"error":"invalid_scope"})", "oauth_error", false},
      {"refresh", 503, R"({"error":"temporarily_unavailable"})", "oauth_error", true},
      {"refresh", 502, "<html>bad gateway</html>", "http", true},
      {"refresh", 404, "not here", "http", false},
      {"exchange_code", 400, R"({"error":"invalid_grant","error_description":"code used"})", "reauth_required", false},
      {"client_credentials", 401, R"({"error":"invalid_client"})", "auth_failed", false},
      {"client_credentials", 400, R"({"error":"invalid_scope"})", "oauth_error", false},
      {"exchange_code", 503, R"({"error":"temporarily_unavailable"})", "oauth_error", true},
      {"client_credentials", 429, "slow down", "http", true},
      {"client_credentials", 200, R"({"token_type":"Bearer"})", "oauth_error", false},
  }));
  CAPTURE(call, status, body);
  FakeServer server;
  server.on("POST", "/token", [status = status, body = body](const auto&) {
    auto response = FakeResponse::text(status, body);
    response.headers["Content-Type"] = "application/json";
    return response;
  });
  EngineFixture f;
  f.write_workflow("failing", grant_workflow("failing", call,
      "{ token_url = input.url, client_id = 'c', client_secret = 's', scope = 'x', refresh_token = 'r1',"
      " code = 'c', redirect_uri = 'https://r.example/cb' }"));
  json result = run_grant(f, "failing", {{"url", server.url("/token")}});
  CHECK(result["kind"] == kind);
  CHECK(result["retryable"] == retryable);
  if (status != 200) CHECK_THAT(result["message"].get<std::string>(), Catch::Contains(std::to_string(status)));
}

TEST_CASE("issue 14: a rotated refresh token is flagged and oauth2.save stores both tokens with the expiry",
          "[oauth2][secrets][tenant]") {
  FakeServer server;
  int answered = 0;
  server.on("POST", "/token", [&answered](const auto&) {
    ++answered;  // the first answer rotates, the second does not
    json body = {{"access_token", "access-" + std::to_string(answered)}, {"expires_in", 1800}};
    if (answered == 1) body["refresh_token"] = "refresh-rotated";
    return FakeResponse::json(200, body);
  });
  EngineFixture f;
  f.write_workflow("saver", grant_workflow("saver", "refresh",
      "{ token_url = input.url, client_id = 'c', client_secret = 's', refresh_token = 'refresh-0' }",
      "oauth2.save('crm', token, { org = 'acme-eu' })"));
  json rotated = run_grant(f, "saver", {{"url", server.url("/token")}}, "acme");
  CHECK(rotated["rotated"] == true);
  CHECK(rotated["refresh_token"] == "[secret:crm.refresh_token]");  // redacted: it was stored as a secret
  json kept = run_grant(f, "saver", {{"url", server.url("/token")}}, "acme");
  CHECK(kept["rotated"] == false);

  auto listed = f.store->secrets().list_secrets("acme", "crm.");
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == "crm.access_token");
  CHECK(listed[0].expires_at > 0);
  CHECK(json::parse(listed[0].meta) == json{{"token_type", "Bearer"}, {"org", "acme-eu"}});
  CHECK(listed[1].name == "crm.refresh_token");
  CHECK(listed[1].expires_at == 0);
  auto open = [&](const std::string& name) {
    return *weft::stdlib::open_secret_value(f.store->secrets(), *f.secret_keys, "acme", name);
  };
  CHECK(open("crm.access_token") == "access-2");
  CHECK(open("crm.refresh_token") == "refresh-rotated");  // the second refresh did not rotate: kept
  CHECK(f.store->secrets().list_secrets("", "crm.").empty());  // nothing in the shared namespace
}
