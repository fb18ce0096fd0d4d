// weft.oauth2 against a fake token endpoint: the refresh-token grant with
// HTTP Basic and body client authentication, token rotation, and RFC 6749
// section 5.2 errors mapped to kinds (invalid_grant -> reauth_required).
#include <catch2/catch.hpp>

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

TEST_CASE("token endpoint errors map to kinds per RFC 6749 5.2", "[oauth2]") {
  auto [status, body, kind, retryable] = GENERATE(table<int, std::string, std::string, bool>({
      {400, R"({"error":"invalid_grant","error_description":"refresh token revoked"})", "reauth_required", false},
      {401, R"({"error":"invalid_client"})", "auth_failed", false},
      {400, R"({"error":"invalid_scope"})", "oauth_error", false},
      {503, R"({"error":"temporarily_unavailable"})", "oauth_error", true},
      {502, "<html>bad gateway</html>", "http", true},
      {404, "not here", "http", false},
  }));
  CAPTURE(status, body);
  FakeServer server;
  server.on("POST", "/token", [status = status, body = body](const auto&) {
    auto response = FakeResponse::text(status, body);
    response.headers["Content-Type"] = "application/json";
    return response;
  });
  EngineFixture f;
  f.write_workflow("refresh", kRefresh);
  json result = refresh(f, server.url("/token"));
  CHECK(result["kind"] == kind);
  CHECK(result["retryable"] == retryable);
  CHECK_THAT(result["message"].get<std::string>(), Catch::Contains(std::to_string(status)));
}
