// weft.crypto: published HMAC/base64 vectors, RSA signatures checked against
// keys and a signature made with the openssl CLI, JWTs, and the Lua API
// (encodings, errors, the step rule for random_bytes and the clock).
#include <catch2/catch.hpp>

#include "tests/support/rsa_test_keys.hpp"

#include <string>

#include "dsl/lua_state.hpp"
#include "dsl/thread_link.hpp"
#include "stdlib/crypto_primitives.hpp"
#include "stdlib/jwt.hpp"

namespace crypto = weft::stdlib::crypto;

using weft::testing::kOtherPublicPem;
using weft::testing::kPrivatePem;
using weft::testing::kPublicPem;

namespace {

// printf %s "hello weft" | openssl dgst -sha256 -sign private.pem | openssl base64 -A
const std::string kHelloSignature = "mLSl4RB1o5W+oSwEVxYEE9SPG62vxLVqvhDvXXLBNWOI5U/tUnLYA+c0i+VznHP8JBLgSLQ4UbBGwGJQego+gtAdk2VD4vQo+AmlhjvykmdT9IDbCNKHlurkOW/H5bLDSEOWyfHgpJ4GbEZZynNHjWoay7lam2LhmIRiD/r7h/RNIkgI2nB7p2i4hj/W9+SZxwxPfCQNdvxwBdkFPxuEaB0NlNUU54RtIegDFoaFH6e/ZLJoXz0Xun6bh943JjD9Ui0kTecHOpWVe/QWPbYUKH3cFs8pZz+WJQRrYNl8/9njHotTNpATW5kqZt0mvkd6+c+A4uPzCCRSG5rp9EdNYg==";

std::string hmac_hex(const char* alg, const std::string& key, const std::string& data) {
  return crypto::hex_encode(crypto::hmac(alg, key, data));
}

// Runs `code` and returns its single result as a string, or the error text
// (a weft.error's message field) prefixed with "error: ".
std::string run_lua(weft::dsl::LuaState& state, const std::string& code) {
  lua_State* L = state.get();
  std::string out;
  if (luaL_dostring(L, code.c_str()) == LUA_OK) {
    out = luaL_tolstring(L, -1, nullptr);
  } else {
    if (lua_istable(L, -1)) lua_getfield(L, -1, "message");
    out = std::string("error: ") + luaL_tolstring(L, -1, nullptr);
  }
  lua_settop(L, 0);
  return out;
}

}  // namespace

TEST_CASE("HMAC matches RFC 4231 and RFC 2202 vectors", "[crypto]") {
  const std::string key1(20, '\x0b');
  CHECK(hmac_hex("sha256", key1, "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_hex("sha512", key1, "Hi There") ==
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
  CHECK(hmac_hex("sha256", "Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_hex("sha512", "Jefe", "what do ya want for nothing?") ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
  CHECK(hmac_hex("sha1", "Jefe", "what do ya want for nothing?") ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK_THROWS_AS(crypto::hmac("md5", "k", "d"), std::invalid_argument);
}

TEST_CASE("HMAC matches GitHub's webhook signature example", "[crypto]") {
  CHECK(hmac_hex("sha256", "It's a Secret to Everybody", "Hello, World!") ==
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST_CASE("SHA-256 and random bytes", "[crypto]") {
  CHECK(crypto::hex_encode(crypto::sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(crypto::random_bytes(0).empty());
  std::string a = crypto::random_bytes(32), b = crypto::random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}

TEST_CASE("equal compares contents and lengths", "[crypto]") {
  CHECK(crypto::equal("abc", "abc"));
  CHECK(crypto::equal("", ""));
  CHECK_FALSE(crypto::equal("abc", "abd"));
  CHECK_FALSE(crypto::equal("abc", "abcd"));
  CHECK_FALSE(crypto::equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("base64 matches RFC 4648 vectors and rejects bad input", "[crypto]") {
  CHECK(crypto::base64_encode("") == "");
  CHECK(crypto::base64_encode("f") == "Zg==");
  CHECK(crypto::base64_encode("fo") == "Zm8=");
  CHECK(crypto::base64_encode("foo") == "Zm9v");
  CHECK(crypto::base64_encode("foobar") == "Zm9vYmFy");
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    CHECK(crypto::base64_decode(crypto::base64_encode(text)) == text);
  CHECK(crypto::base64_encode("\xfb\xff") == "+/8=");
  CHECK(crypto::base64url_encode("\xfb\xff") == "-_8");
  CHECK(crypto::base64url_decode("-_8") == "\xfb\xff");
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!mFy", "=Zg=", "Zh=="})
    CHECK_THROWS_AS(crypto::base64_decode(bad), std::invalid_argument);
  for (const char* bad : {"+/8", "Zg==", "Z"})
    CHECK_THROWS_AS(crypto::base64url_decode(bad), std::invalid_argument);
}

TEST_CASE("hex round-trips and rejects bad input", "[crypto]") {
  const std::string all_bytes = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
  }();
  CHECK(crypto::hex_encode("\x01\xab\xff") == "01abff");
  CHECK(crypto::hex_decode("01ABff") == "\x01\xab\xff");
  CHECK(crypto::hex_decode(crypto::hex_encode(all_bytes)) == all_bytes);
  CHECK_THROWS_WITH(crypto::hex_decode("abc"), Catch::Contains("odd length"));
  CHECK_THROWS_WITH(crypto::hex_decode("zz"), Catch::Contains("invalid hex"));
}

TEST_CASE("RSA-SHA256 signatures agree with the openssl CLI", "[crypto]") {
  std::string sig = crypto::rsa_sign_sha256(kPrivatePem, "hello weft");
  CHECK(crypto::base64_encode(sig) == kHelloSignature);  // PKCS#1 v1.5 is deterministic
  CHECK(crypto::rsa_verify_sha256(kPublicPem, "hello weft", crypto::base64_decode(kHelloSignature)));
  CHECK_FALSE(crypto::rsa_verify_sha256(kPublicPem, "hello weft!", sig));
  CHECK_FALSE(crypto::rsa_verify_sha256(kOtherPublicPem, "hello weft", sig));
  std::string flipped = sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  CHECK_FALSE(crypto::rsa_verify_sha256(kPublicPem, "hello weft", flipped));
  CHECK_FALSE(crypto::rsa_verify_sha256(kPublicPem, "hello weft", "short"));
}

TEST_CASE("RSA rejects unreadable and mismatched keys", "[crypto]") {
  CHECK_THROWS_WITH(crypto::rsa_sign_sha256("not a pem", "x"), Catch::Contains("private key"));
  CHECK_THROWS_WITH(crypto::rsa_verify_sha256("garbage", "x", "sig"), Catch::Contains("public key"));
  CHECK_THROWS_AS(crypto::rsa_sign_sha256(kPublicPem, "x"), std::invalid_argument);
}

TEST_CASE("Lua: hmac, sha256 and the codecs with their encodings", "[crypto]") {
  weft::dsl::LuaState state({});
  const std::string prelude = "local c = require 'weft.crypto' ";
  CHECK(run_lua(state, prelude + "return c.hmac('sha256', \"It's a Secret to Everybody\", 'Hello, World!')") ==
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  CHECK(run_lua(state, prelude + "return c.hmac('sha1', 'Jefe', 'what do ya want for nothing?', 'base64')") ==
        crypto::base64_encode(crypto::hex_decode("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")));
  CHECK(run_lua(state, prelude + "return #c.hmac('sha512', 'k', 'd', 'raw')") == "64");
  CHECK(run_lua(state, prelude + "return c.sha256('abc')") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(run_lua(state, prelude + "return c.base64_encode('foobar') .. c.base64_decode('Zm8=')") == "Zm9vYmFyfo");
  CHECK(run_lua(state, prelude + "return c.base64url_encode('\\xfb\\xff')") == "-_8");
  CHECK(run_lua(state, prelude + "return c.hex_decode(c.hex_encode('hi'))") == "hi");
  CHECK(run_lua(state, prelude + "return c.base64url_decode(c.base64url_encode('\\xfb\\xff')) == '\\xfb\\xff'") == "true");
  CHECK(run_lua(state, prelude + "return tostring(c.equal('a', 'a')) .. tostring(c.equal('a', 'b'))") == "truefalse");
}

TEST_CASE("Lua: bad arguments and bad encodings raise errors", "[crypto]") {
  weft::dsl::LuaState state({});
  const std::string prelude = "local c = require 'weft.crypto' ";
  CHECK_THAT(run_lua(state, prelude + "return c.hmac('md5', 'k', 'd')"),
             Catch::EndsWith("bad argument #1 to 'hmac' (algorithm must be \"sha1\", \"sha256\" or \"sha512\")"));
  CHECK_THAT(run_lua(state, prelude + "return c.sha256('x', 'base32')"), Catch::Contains("bad argument #2"));
  CHECK_THAT(run_lua(state, prelude + "return c.sha256({})"), Catch::Contains("string expected, got table"));
  CHECK(run_lua(state, prelude + "return c.hex_decode('xyz')") == "error: hex text has an odd length");
  CHECK(run_lua(state, prelude + "local ok, e = pcall(c.base64_decode, '!!!!') return e.kind") == "crypto");
  CHECK_THAT(run_lua(state, prelude + "return c.random_bytes(-1)"), Catch::Contains("bad argument #1"));
}

TEST_CASE("Lua: random_bytes needs a step inside a run", "[crypto]") {
  weft::dsl::LuaState state({});
  const std::string code = "local c = require 'weft.crypto' return #c.random_bytes(16, 'raw') .. #c.random_bytes(4)";
  CHECK(run_lua(state, code) == "168");
  weft::dsl::RunLink link;
  weft::dsl::set_run_link(state.get(), &link);
  CHECK_THAT(run_lua(state, code), Catch::Contains("crypto.random_bytes may only be called inside ctx:step"));
  link.in_step = true;
  CHECK(run_lua(state, code) == "168");
  weft::dsl::set_run_link(state.get(), nullptr);
}

TEST_CASE("Lua: rsa_sign and rsa_verify", "[crypto]") {
  weft::dsl::LuaState state({});
  // Workflow globals are read-only, so the keys come in as chunk locals.
  const std::string prelude = "local c = require 'weft.crypto' local private_pem = [[" + kPrivatePem +
                              "]] local public_pem = [[" + kPublicPem + "]] local other_pem = [[" +
                              kOtherPublicPem + "]] ";
  CHECK(run_lua(state, prelude + "return c.rsa_sign(private_pem, 'hello weft')") == kHelloSignature);
  CHECK(run_lua(state, prelude +
                           "local s = c.rsa_sign(private_pem, 'data', 'hex') "
                           "return tostring(c.rsa_verify(public_pem, 'data', s, 'hex')) .. "
                           "tostring(c.rsa_verify(public_pem, 'datA', s, 'hex')) .. "
                           "tostring(c.rsa_verify(other_pem, 'data', s, 'hex'))") == "truefalsefalse");
  CHECK(run_lua(state, prelude + "local ok, e = pcall(c.rsa_sign, 'garbage', 'x') return e.kind .. ': ' .. e.message") ==
        "crypto: cannot read the private key (expected PEM)");
  CHECK(run_lua(state, prelude + "local ok, e = pcall(c.rsa_verify, public_pem, 'x', '%%%') return e.kind") == "crypto");
}

namespace {
// jwt.io's example token, HS256 under "your-256-bit-secret" (signature
// cross-checked with openssl dgst -sha256 -hmac).
const std::string kJwtIoToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

crypto::JwtCheck accept(std::vector<std::string> algs, std::int64_t now = 1'700'000'000) {
  return {std::move(algs), 60, now};
}

// A token with the given header and claims and an HS256 signature under "k".
std::string forge(const std::string& header, const std::string& claims) {
  std::string input = crypto::base64url_encode(header) + "." + crypto::base64url_encode(claims);
  return input + "." + crypto::base64url_encode(crypto::hmac("sha256", "k", input));
}
}  // namespace

TEST_CASE("JWT: jwt.io's HS256 example verifies", "[crypto]") {
  auto result = crypto::jwt_verify(kJwtIoToken, "your-256-bit-secret", accept({"HS256"}));
  REQUIRE(result.valid);
  CHECK(result.claims["name"] == "John Doe");
  CHECK(crypto::jwt_verify(kJwtIoToken, "wrong secret", accept({"HS256"})).reason == "invalid signature");
  CHECK(crypto::jwt_verify(kJwtIoToken, "your-256-bit-secret", accept({"RS256"})).reason ==
        "algorithm 'HS256' not allowed");
}

TEST_CASE("JWT: HS256 and RS256 round trips", "[crypto]") {
  nlohmann::json claims = {{"sub", "u1"}, {"exp", 1'700'000'100}};
  std::string hs = crypto::jwt_sign(claims, "secret", "HS256");
  CHECK(hs.rfind("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 0) == 0);
  CHECK(crypto::jwt_verify(hs, "secret", accept({"HS256"})).claims == claims);
  std::string rs = crypto::jwt_sign(claims, kPrivatePem, "RS256");
  CHECK(crypto::jwt_verify(rs, kPublicPem, accept({"HS256", "RS256"})).claims == claims);
  CHECK(crypto::jwt_verify(rs, kOtherPublicPem, accept({"RS256"})).reason == "invalid signature");
  CHECK_THROWS_AS(crypto::jwt_sign(claims, "secret", "none"), std::invalid_argument);
  CHECK_THROWS_AS(crypto::jwt_sign(nlohmann::json::array(), "secret", "HS256"), std::invalid_argument);
}

TEST_CASE("JWT: exp and nbf with leeway", "[crypto]") {
  std::string token = crypto::jwt_sign({{"nbf", 1000}, {"exp", 2000}}, "k", "HS256");
  CHECK(crypto::jwt_verify(token, "k", accept({"HS256"}, 1500)).valid);
  CHECK(crypto::jwt_verify(token, "k", accept({"HS256"}, 2060)).valid);
  CHECK(crypto::jwt_verify(token, "k", accept({"HS256"}, 2061)).reason == "token expired");
  CHECK(crypto::jwt_verify(token, "k", accept({"HS256"}, 940)).valid);
  CHECK(crypto::jwt_verify(token, "k", accept({"HS256"}, 939)).reason == "token not yet valid");
  CHECK(crypto::jwt_verify(crypto::jwt_sign({{"exp", "soon"}}, "k", "HS256"), "k", accept({"HS256"})).reason ==
        "malformed exp claim");
}

TEST_CASE("JWT: alg none, unlisted algorithms and malformed tokens are rejected", "[crypto]") {
  std::string unsigned_token = crypto::base64url_encode(R"({"alg":"none"})") + "." +
                               crypto::base64url_encode(R"({"sub":"x"})") + ".";
  CHECK(crypto::jwt_verify(unsigned_token, "k", accept({"HS256", "none"})).reason ==
        "algorithm 'none' not allowed");
  CHECK(crypto::jwt_verify(forge(R"({"alg":"HS512"})", "{}"), "k", accept({"HS512"})).reason ==
        "algorithm 'HS512' not allowed");
  CHECK(crypto::jwt_verify(forge(R"({"alg":"HS256"})", "[1]"), "k", accept({"HS256"})).reason ==
        "malformed payload");
  CHECK(crypto::jwt_verify(forge("not json", "{}"), "k", accept({"HS256"})).reason == "malformed header");
  CHECK(crypto::jwt_verify("a.b", "k", accept({"HS256"})).reason == "malformed token");
  CHECK(crypto::jwt_verify("a.b.c.d", "k", accept({"HS256"})).reason == "malformed token");
  CHECK(crypto::jwt_verify(forge(R"({"alg":"HS256"})", "{}") + "!", "k", accept({"HS256"})).reason ==
        "malformed signature");
  CHECK(crypto::jwt_verify(forge(R"({"alg":"HS256"})", "{}"), "k", accept({"HS256"})).valid);
}

TEST_CASE("Lua: jwt_sign and jwt_verify", "[crypto]") {
  weft::dsl::LuaState state({});
  const std::string prelude = "local c = require 'weft.crypto' ";
  CHECK(run_lua(state, prelude +
                           "local t = c.jwt_sign({ sub = 'u1', exp = 2000 }, 'k', { alg = 'HS256' }) "
                           "local claims = c.jwt_verify(t, 'k', { algs = { 'HS256' }, now = 1990 }) "
                           "local none, why = c.jwt_verify(t, 'k', { algs = { 'HS256' }, now = 2100, leeway = 0 }) "
                           "return claims.sub .. ' ' .. tostring(none) .. ' ' .. why") == "u1 nil token expired");
  CHECK(run_lua(state, prelude + "return c.jwt_verify('" + kJwtIoToken +
                           "', 'your-256-bit-secret', { algs = { 'HS256' }, now = 0 }).name") == "John Doe");
  CHECK_THAT(run_lua(state, prelude + "return c.jwt_verify('a.b.c', 'k', {})"),
             Catch::Contains("bad argument #3") && Catch::Contains("algs"));
  CHECK_THAT(run_lua(state, prelude + "return c.jwt_sign({}, 'k', { alg = 'none' })"),
             Catch::Contains("bad argument #3"));
  CHECK(run_lua(state, prelude + "local ok, e = pcall(c.jwt_sign, {}, 'garbage', { alg = 'RS256' }) return e.kind") ==
        "crypto");
}

TEST_CASE("Lua: jwt_verify reads the clock only inside a step", "[crypto]") {
  weft::dsl::LuaState state({});
  const std::string code = "local c = require 'weft.crypto' "
                           "local t = c.jwt_sign({ exp = os.time() + 600 }, 'k') "
                           "return c.jwt_verify(t, 'k', { algs = { 'HS256' } }) ~= nil";
  CHECK(run_lua(state, code) == "true");
  weft::dsl::RunLink link;
  weft::dsl::set_run_link(state.get(), &link);
  CHECK_THAT(run_lua(state, code), Catch::Contains("crypto.jwt_verify without opts.now may only be called"));
  weft::dsl::set_run_link(state.get(), nullptr);
}
