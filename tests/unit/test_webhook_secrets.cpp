// The webhook secrets cache against a real SQLite store: a secret is read
// and opened once per time-to-live, a changed secret is used once that
// has passed, and a missing secret is never remembered.
#include <catch2/catch.hpp>

#include <chrono>

#include "api/http_types.hpp"
#include "api/webhook_secrets.hpp"
#include "stdlib/secret_records.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace std::chrono_literals;

namespace {

void set_secret(weft::testing::EngineFixture& fx, const std::string& name, const std::string& value) {
  weft::stdlib::put_secret_value(fx.store->secrets(), *fx.secret_keys, "", {name}, value);
}

int error_status(weft::api::WebhookSecrets& secrets, const std::string& name, std::string& code) {
  try {
    secrets.get(name);
  } catch (const weft::api::ApiError& e) {
    code = e.code;
    return e.status;
  }
  return 0;
}

}  // namespace

TEST_CASE("webhook secrets are kept for their time to live, then read again", "[webhook_secrets]") {
  weft::testing::EngineFixture fx;
  set_secret(fx, "github.webhook", "first");
  weft::api::WebhookSecrets kept(*fx.store, fx.secret_keys.get(), 1h);
  weft::api::WebhookSecrets fresh(*fx.store, fx.secret_keys.get(), 0ms);
  CHECK(kept.get("github.webhook") == "first");
  CHECK(fresh.get("github.webhook") == "first");

  set_secret(fx, "github.webhook", "second");
  CHECK(kept.get("github.webhook") == "first");   // within its time to live
  CHECK(fresh.get("github.webhook") == "second");  // expired at once
}

TEST_CASE("a missing webhook secret is an error until it is set, never cached", "[webhook_secrets]") {
  weft::testing::EngineFixture fx;
  weft::api::WebhookSecrets secrets(*fx.store, fx.secret_keys.get(), 1h);
  std::string code;
  CHECK(error_status(secrets, "stripe.webhook", code) == 500);
  CHECK(code == "webhook_secret_missing");
  set_secret(fx, "stripe.webhook", "whsec_1");
  CHECK(secrets.get("stripe.webhook") == "whsec_1");
}

TEST_CASE("a webhook secret sealed under another key is reported, not used", "[webhook_secrets]") {
  weft::testing::EngineFixture fx;
  weft::stdlib::SecretBox other(weft::stdlib::SecretBox::generate_key());
  fx.store->secrets().put_secret("", {"github.webhook"}, other.seal("github.webhook", "value"));
  weft::api::WebhookSecrets secrets(*fx.store, fx.secret_keys.get(), 1h);
  std::string code;
  CHECK(error_status(secrets, "github.webhook", code) == 500);
  CHECK(code == "webhook_secret_unreadable");
}
