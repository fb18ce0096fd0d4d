// weft.webhook: every preset against a provider's published example or a
// signature computed independently with the openssl CLI, the negative cases
// (tampered body, wrong secret, bad headers, stale and future timestamps) and the Lua API.
#include <catch2/catch.hpp>

#include "tests/support/rsa_test_keys.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "dsl/lua_state.hpp"
#include "dsl/thread_link.hpp"
#include "stdlib/webhook_presets.hpp"

namespace wh = weft::stdlib::webhook;

using weft::testing::kOtherPublicPem;
using weft::testing::kPublicPem;

namespace {

// A valid request for one preset and what the negative cases change.
struct Case {
  std::string preset;
  wh::Request request;
  wh::Options options;
  std::string signature_header;   // as the preset names it in reasons
  std::string malformed;          // a value of that header the preset cannot parse
  std::string wrong_secret;       // replaces options.secret (or public_key)
  std::string timestamp_header;   // empty when the signed timestamp is not a header of its own
  std::int64_t timestamp = 0;     // signed timestamp; 0 for presets without one
};

std::string check(const std::string& preset, const wh::Request& request, const wh::Options& options) {
  wh::Verdict verdict = wh::verify(preset, request, options);
  CHECK(verdict.ok == verdict.reason.empty());
  return verdict.ok ? "ok" : verdict.reason;
}

std::string check(const Case& c) { return check(c.preset, c.request, c.options); }

wh::Options with_secret(std::string secret) {
  wh::Options options;
  options.secret = std::move(secret);
  return options;
}

// GitHub's documented example.
Case github_case() {
  return {"github",
          {"POST", "https://example.com/hook",
           {{"X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}},
           "Hello, World!"},
          with_secret("It's a Secret to Everybody"), "X-Hub-Signature-256", "sha256=75zz", "It's not a secret", "", 0};
}

// printf %s 'v0:1531420618:<body>' | openssl dgst -sha256 -hmac 8f742231b10e8888abcd99yyyzzz85a5
Case slack_case() {
  wh::Options options = with_secret("8f742231b10e8888abcd99yyyzzz85a5");
  options.now_seconds = 1531420618 + 10;
  return {"slack",
          {"POST", "https://example.com/slack",
           {{"X-Slack-Request-Timestamp", "1531420618"},
            {"X-Slack-Signature", "v0=44992ffa6a7bc3351c1020abb7490bcbc4fd1de417e89051209ab50822cb8cd4"}},
           "token=xyz&team_id=T1DC2JH3J&command=%2Fweather&text=94070"},
          options, "X-Slack-Signature", "v1=44992ffa", "wrong-signing-secret", "X-Slack-Request-Timestamp",
          1531420618};
}

// printf %s '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test_secret; the
// first v1 belongs to another secret (as during a secret roll), the second matches.
Case stripe_case() {
  wh::Options options = with_secret("whsec_test_secret");
  options.now_seconds = 1700000000;
  return {"stripe",
          {"POST", "https://example.com/stripe",
           {{"Stripe-Signature",
             "t=1700000000,v1=" + std::string(64, 'a') +
                 ",v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd,v0=" + std::string(64, 'b')}},
           R"({"id":"evt_1","object":"event"})"},
          options, "Stripe-Signature", "v1=0c8670ed", "whsec_other_secret", "", 1700000000};
}

// printf %s '<body>' | openssl dgst -sha256 -hmac hush -binary | base64
Case shopify_case() {
  return {"shopify",
          {"POST", "https://example.com/shopify",
           {{"X-Shopify-Hmac-Sha256", "qBvrsZF7RfB1iS6BX6IHqJTp5L911P7intnPeTPsH0I="}}, R"({"id":820982911946154508})"},
          with_secret("hush"), "X-Shopify-Hmac-Sha256", "not base64!", "hushhush", "", 0};
}

// Twilio's documented example (checked with openssl dgst -sha1 -hmac 12345 -binary | base64),
// its parameters sent out of order and percent-encoded as Twilio posts them.
Case twilio_case() {
  return {"twilio",
          {"POST", "https://mycompany.com/myapp.php?foo=1&bar=2",
           {{"X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
            {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
           "To=%2B18005551212&From=%2B12349013030&Digits=1234&Caller=%2B12349013030&CallSid=CA1234567890ABCDE"},
          with_secret("12345"), "X-Twilio-Signature", "0/KCTR6D***", "54321", "", 0};
}

// The Standard Webhooks specification's example (checked with openssl dgst -sha256
// -mac HMAC -macopt hexkey:<decoded secret> -binary | base64), after a v1a entry.
Case standard_case() {
  wh::Options options = with_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  options.now_seconds = 1614265330;
  return {"standard",
          {"POST", "https://example.com/standard",
           {{"webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
            {"webhook-timestamp", "1614265330"},
            {"webhook-signature", "v1a,AAAA v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}},
           R"({"test": 2432232314})"},
          options, "webhook-signature", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "whsec_d3JvbmcgIGtleQ==",
          "webhook-timestamp", 1614265330};
}

// printf %s payload | openssl dgst -sha512 -hmac k3y -binary | base64 -w0
Case hmac_case() {
  wh::Options options = with_secret("k3y");
  options.header = "X-Signature";
  options.algorithm = "sha512";
  options.encoding = "base64";
  options.prefix = "sha512=";
  return {"hmac",
          {"POST", "https://example.com/hmac",
           {{"X-Signature",
             "sha512=JuSf83Z2yw25qDKLDtJMsChhbbZ15zML629Z6xWJDKTf6zK9vvXWciALB0LlhDZNrys3VCgMkuMmfyycxz/+QA=="}},
           "payload"},
          options, "X-Signature", "JuSf83Z2yw25qDKLDtJMsChhbbZ15zML629Z6xWJDKTf6zK9vvXWciALB0LlhDZNrys3VCgMkuMmfyycxz/+QA==",
          "k3y!", "", 0};
}

// printf %s '{"event":"ping"}' | openssl dgst -sha256 -sign private.pem | openssl base64 -A
Case rsa_case() {
  wh::Options options;
  options.public_key = kPublicPem;
  options.header = "X-Signature";
  return {"rsa_sha256",
          {"POST", "https://example.com/rsa",
           {{"X-Signature",
             "Ogu/hJT6JXewxqAE28TS+507T2T6ogYgzxtIb1OZP+pjACeigC+ZyGRZkK0RSAaWxcXXYHSGtCQsQf4JCLGwFAOgG9zZ2h+zoQruKBm5Wc"
             "sLTPsfEQdst1DzM2OM+yTbp4F0+pEUfxQH/zadTomY6mRDk/SLSZuZyoZ5Qk75BxyrXXfgmfos5zhwXXDIiTgYhrT+sQK1sVRjEY3J8cqU"
             "2AsLQc6U4deJL7RcMr8PSUneqnOeLU7T5xEungcQXwh/V3NI0xW8i7mSUKgf9wTlsd8404XqrBUjUoxLlEToij2Ypve0DpPar9hy/IlQQx"
             "TMNpbL0Z/folajE9TO65124A=="}},
           R"({"event":"ping"})"},
          options, "X-Signature", "!!not base64!!", kOtherPublicPem, "", 0};
}

std::vector<Case> all_cases() {
  return {github_case(), slack_case(),    stripe_case(), shopify_case(),
          twilio_case(), standard_case(), hmac_case(),   rsa_case()};
}

// Runs `code` and returns its results joined by ",", or "error: " and the error text.
std::string run_lua(weft::dsl::LuaState& state, const std::string& code) {
  lua_State* L = state.get();
  std::string out;
  if (luaL_dostring(L, code.c_str()) == LUA_OK) {
    int results = lua_gettop(L);  // luaL_tolstring pushes, so count first
    for (int i = 1; i <= results; ++i) out += (i > 1 ? "," : "") + std::string(luaL_tolstring(L, i, nullptr));
  } else {
    if (lua_istable(L, -1)) lua_getfield(L, -1, "message");
    out = std::string("error: ") + luaL_tolstring(L, -1, nullptr);
  }
  lua_settop(L, 0);
  return out;
}

}  // namespace

TEST_CASE("Every preset a route may name is implemented and has an example here", "[webhook]") {
  std::vector<std::string> examples;
  for (const Case& c : all_cases()) examples.push_back(c.preset);
  for (auto name : weft::engine::verify_presets()) {
    INFO(name);
    CHECK_NOTHROW(wh::verify(std::string(name), {}, {}));
    CHECK(std::find(examples.begin(), examples.end(), name) != examples.end());
  }
}

TEST_CASE("Every preset accepts its valid example", "[webhook]") {
  for (const Case& c : all_cases()) {
    INFO(c.preset);
    CHECK(check(c) == "ok");
  }
}

TEST_CASE("Every preset rejects a tampered body and a wrong secret", "[webhook]") {
  for (Case c : all_cases()) {
    INFO(c.preset);
    Case tampered = c;
    tampered.request.body += "x";
    CHECK(check(tampered) == "signature mismatch");
    (c.preset == "rsa_sha256" ? c.options.public_key : c.options.secret) = c.wrong_secret;
    CHECK(check(c) == "signature mismatch");
  }
}

TEST_CASE("Every preset rejects a missing or malformed signature header", "[webhook]") {
  for (const Case& c : all_cases()) {
    INFO(c.preset);
    Case missing = c;
    missing.request.headers.erase(c.signature_header);
    CHECK(check(missing) == "missing header " + c.signature_header);
    Case malformed = c;
    malformed.request.headers[c.signature_header] = c.malformed;
    CHECK(check(malformed) == "malformed header " + c.signature_header);
  }
}

TEST_CASE("Timestamped presets reject stale and future timestamps", "[webhook]") {
  for (Case c : all_cases()) {
    if (c.timestamp == 0) continue;
    INFO(c.preset);
    c.options.now_seconds = c.timestamp + 300;
    CHECK(check(c) == "ok");
    c.options.now_seconds = c.timestamp + 301;
    CHECK(check(c) == "timestamp outside tolerance");
    c.options.now_seconds = c.timestamp - 301;
    CHECK(check(c) == "timestamp outside tolerance");
    c.options.tolerance_seconds = 301;
    CHECK(check(c) == "ok");
    c.options.now_seconds.reset();  // the system clock: years after the example
    CHECK(check(c) == "timestamp outside tolerance");
  }
}

TEST_CASE("Timestamp headers must be present and numeric", "[webhook]") {
  for (Case c : {slack_case(), standard_case()}) {
    INFO(c.preset);
    c.request.headers[c.timestamp_header] = "1531420618.5";
    CHECK(check(c) == "malformed header " + c.timestamp_header);
    c.request.headers.erase(c.timestamp_header);
    CHECK(check(c) == "missing header " + c.timestamp_header);
  }
  Case stripe = stripe_case();
  stripe.request.headers["Stripe-Signature"] = "v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd";
  CHECK(check(stripe) == "malformed header Stripe-Signature");
  stripe.request.headers["Stripe-Signature"] = "t=1700000000,v0=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd";
  CHECK(check(stripe) == "malformed header Stripe-Signature");
}

TEST_CASE("Header names are matched without regard to case", "[webhook]") {
  Case c = github_case();
  c.request.headers = {{"x-hub-signature-256", c.request.headers.at("X-Hub-Signature-256")}};
  CHECK(check(c) == "ok");
  c.request.headers.erase("X-HUB-SIGNATURE-256");
  CHECK(check(c) == "missing header X-Hub-Signature-256");
}

TEST_CASE("Standard Webhooks: a secret without whsec_ is base64, webhook-id is signed", "[webhook]") {
  Case c = standard_case();
  c.options.secret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  CHECK(check(c) == "ok");
  c.options.secret = "whsec_not base64";
  CHECK(check(c) == "malformed secret (expected whsec_ followed by base64)");
  c = standard_case();
  c.request.headers["webhook-id"] = "msg_other";
  CHECK(check(c) == "signature mismatch");
  c.request.headers.erase("webhook-id");
  CHECK(check(c) == "missing header webhook-id");
}

TEST_CASE("Twilio: form decoding, and JSON bodies through bodySHA256", "[webhook]") {
  // printf %s 'https://example.com/smsBodyHello World!From+15551234567' | openssl dgst -sha1 -hmac 12345 -binary | base64
  wh::Request sms{"POST", "https://example.com/sms",
                  {{"X-Twilio-Signature", "h3LFUJPDKLwuQh4onHZfPCED6ZE="},
                   {"Content-Type", "application/x-www-form-urlencoded"}},
                  "From=%2B15551234567&Body=Hello+World%21"};
  CHECK(check("twilio", sms, with_secret("12345")) == "ok");
  sms.body = "From=%2B15551234567&Body=Hello%2BWorld%21";
  CHECK(check("twilio", sms, with_secret("12345")) == "signature mismatch");
  // bodySHA256 = openssl dgst -sha256 of the body; the signature covers the URL only.
  wh::Request json{"POST",
                   "https://mycompany.com/myapp.php?bodySHA256=015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862",
                   {{"X-Twilio-Signature", "+kSuX/0ZJYA1+JmgZwzpaeDUJPg="}, {"Content-Type", "application/json"}},
                   R"({"a":1})"};
  CHECK(check("twilio", json, with_secret("12345")) == "ok");
  json.body = R"({"a":2})";
  CHECK(check("twilio", json, with_secret("12345")) == "body does not match bodySHA256");
}

TEST_CASE("Generic HMAC: defaults, sha1 and option errors", "[webhook]") {
  // printf %s payload | openssl dgst -sha1 -hmac k3y
  wh::Options options = with_secret("k3y");
  options.header = "X-Sig";
  options.algorithm = "sha1";
  wh::Request request{"POST", "", {{"X-Sig", "E10DD497E214D3C12496EF4A215A79532E324E2A"}}, "payload"};
  CHECK(check("hmac", request, options) == "ok");
  options.algorithm = "";  // sha256 by default: the sha1 signature has the wrong length
  CHECK(check("hmac", request, options) == "malformed header X-Sig");
  options.algorithm = "md5";
  CHECK(check("hmac", request, options) == "unsupported algorithm 'md5'");
  options.algorithm = "sha1";
  options.encoding = "base32";
  CHECK(check("hmac", request, options) == "unsupported encoding 'base32'");
  options.encoding = "";
  options.header = "";
  CHECK(check("hmac", request, options) == "missing option header");
  CHECK(check("github", github_case().request, {}) == "missing option secret");
}

TEST_CASE("RSA: an unreadable key is a verdict, an unknown preset throws", "[webhook]") {
  Case c = rsa_case();
  c.options.public_key = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  CHECK(check(c) == "unreadable public key");
  c.options.public_key.clear();
  CHECK(check(c) == "missing option public_key");
  CHECK_THROWS_AS(wh::verify("gitlab", c.request, c.options), std::invalid_argument);
}

TEST_CASE("Lua: webhook.verify returns true or false and a reason", "[webhook]") {
  weft::dsl::LuaState state({});
  const std::string prelude =
      "local webhook = require 'weft.webhook' "
      "local request = { method = 'POST', url = 'https://example.com/hook', body = 'Hello, World!', headers = {"
      " ['x-hub-signature-256'] = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' } } ";
  CHECK(run_lua(state, prelude + "return webhook.verify('github', request, { secret = \"It's a Secret to Everybody\" })") ==
        "true");
  CHECK(run_lua(state, prelude + "request.body = 'Hello, World?' "
                                 "return webhook.verify('github', request, { secret = \"It's a Secret to Everybody\" })") ==
        "false,signature mismatch");
  CHECK(run_lua(state, prelude + "request.headers = nil return webhook.verify('github', request, { secret = 's' })") ==
        "false,missing header X-Hub-Signature-256");
  CHECK(run_lua(state, "local webhook = require 'weft.webhook' return webhook.verify('standard', { headers = {"
                       " ['webhook-id'] = 'msg_p5jXN8AQM9LWM0D4loKWxJek', ['webhook-timestamp'] = '1614265330',"
                       " ['webhook-signature'] = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },"
                       " body = '{\"test\": 2432232314}' },"
                       " { secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now = 1614265330 + 400, tolerance = 600 })") ==
        "true");
}

TEST_CASE("Lua: misuse raises bad argument errors", "[webhook]") {
  weft::dsl::LuaState state({});
  const std::string prelude = "local webhook = require 'weft.webhook' ";
  CHECK_THAT(run_lua(state, prelude + "return webhook.verify('gitlab', {}, {})"),
             Catch::Contains("bad argument #1") && Catch::Contains("unknown webhook preset 'gitlab'"));
  CHECK_THAT(run_lua(state, prelude + "return webhook.verify('github', 'body', {})"),
             Catch::Contains("bad argument #2") && Catch::Contains("request table expected"));
  CHECK_THAT(run_lua(state, prelude + "return webhook.verify('github', { headers = { x = {} } }, {})"),
             Catch::Contains("bad argument #2") && Catch::Contains("request.headers must map names to strings"));
  CHECK_THAT(run_lua(state, prelude + "return webhook.verify('github', {}, { secret = true })"),
             Catch::Contains("bad argument #3") && Catch::Contains("options.secret must be a string"));
  CHECK_THAT(run_lua(state, prelude + "return webhook.verify('slack', {}, { now = -1 })"),
             Catch::Contains("bad argument #3") && Catch::Contains("options.now must be a number of seconds >= 0"));
}

TEST_CASE("Lua: timestamped presets read the clock only inside a step", "[webhook]") {
  weft::dsl::LuaState state({});
  const std::string code = "local webhook = require 'weft.webhook' "
                           "return webhook.verify('slack', { headers = { ['X-Slack-Request-Timestamp'] = '1531420618',"
                           " ['X-Slack-Signature'] = 'v0=00' } }, { secret = 's' })";
  CHECK(run_lua(state, code) == "false,timestamp outside tolerance");
  weft::dsl::RunLink link;
  weft::dsl::set_run_link(state.get(), &link);
  CHECK_THAT(run_lua(state, code), Catch::Contains("webhook.verify without options.now may only be called inside ctx:step"));
  CHECK(run_lua(state, "local webhook = require 'weft.webhook' "
                       "return webhook.verify('github', { headers = {} }, { secret = 's' })") ==
        "false,missing header X-Hub-Signature-256");
  link.in_step = true;
  CHECK(run_lua(state, code) == "false,timestamp outside tolerance");
  weft::dsl::set_run_link(state.get(), nullptr);
}
