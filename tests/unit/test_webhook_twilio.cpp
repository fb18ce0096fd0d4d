// Twilio signatures as Twilio's own validators check them (issue 10, item
// 12): repeated form parameters collapsed and sorted, and the URL tried
// with and without its port. Signatures are computed here with OpenSSL over
// the string Twilio documents, independently of stdlib/webhook_presets.cpp.
#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "stdlib/webhook_presets.hpp"

namespace wh = weft::stdlib::webhook;

namespace {

// base64(HMAC-SHA1(token, signed)), as Twilio puts in X-Twilio-Signature.
std::string twilio_signature(const std::string& token, const std::string& signed_text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac, &length);
  unsigned char encoded[64];
  int size = EVP_EncodeBlock(encoded, mac, static_cast<int>(length));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(size));
}

// A form POST to `url` signed over `signed_text` with token "12345".
std::string verdict(const std::string& url, const std::string& body, const std::string& signed_text) {
  wh::Request request{"POST", url,
                      {{"X-Twilio-Signature", twilio_signature("12345", signed_text)},
                       {"Content-Type", "application/x-www-form-urlencoded"}},
                      body};
  wh::Options options;
  options.secret = "12345";
  wh::Verdict v = wh::verify("twilio", request, options);
  return v.ok ? "ok" : v.reason;
}

}  // namespace

TEST_CASE("issue 10: Twilio collapses repeated form parameters as its validators do", "[webhook][twilio]") {
  // twilio-python: for name in sorted(set(params)): for value in sorted(set(values)): s += name + value
  const std::string url = "https://example.com/sms";
  CHECK(verdict(url, "To=%2B1555&MediaUrl=b&From=x&MediaUrl=a&MediaUrl=b",
                url + "Fromx" + "MediaUrla" + "MediaUrlb" + "To+1555") == "ok");
  // Distinct repeated values are all signed, in sorted order.
  CHECK(verdict(url, "Tag=zeta&Tag=alpha", url + "Tagalpha" + "Tagzeta") == "ok");
  // Signing each copy of a duplicate is not what Twilio does.
  CHECK(verdict(url, "Tag=a&Tag=a", url + "Taga" + "Taga") == "signature mismatch");
}

TEST_CASE("issue 10: Twilio URLs are tried with and without their port", "[webhook][twilio]") {
  const std::string body = "From=%2B15551234567&Body=Hi";
  const std::string params = "BodyHiFrom+15551234567";
  // No port in the request URL: Twilio may have signed it with the default port.
  CHECK(verdict("https://example.com/sms?x=1", body, "https://example.com:443/sms?x=1" + params) == "ok");
  CHECK(verdict("http://example.com/sms", body, "http://example.com:80/sms" + params) == "ok");
  CHECK(verdict("https://example.com/sms", body, "https://example.com/sms" + params) == "ok");
  // A port in the request URL: Twilio may have signed it without.
  CHECK(verdict("https://example.com:443/sms", body, "https://example.com/sms" + params) == "ok");
  CHECK(verdict("https://user@example.com:8443/sms", body, "https://user@example.com/sms" + params) == "ok");
  CHECK(verdict("https://example.com:8443/sms", body, "https://example.com:8443/sms" + params) == "ok");
  // Only those two forms: another port, or the wrong default, does not pass.
  CHECK(verdict("https://example.com/sms", body, "https://example.com:8443/sms" + params) ==
        "signature mismatch");
  CHECK(verdict("https://example.com/sms", body, "https://example.com:80/sms" + params) ==
        "signature mismatch");
  // IPv6 literal: the address's colons are not a port.
  CHECK(verdict("http://[::1]/sms", body, "http://[::1]:80/sms" + params) == "ok");
  CHECK(verdict("http://[::1]:8080/sms", body, "http://[::1]/sms" + params) == "ok");
}

TEST_CASE("issue 10: Twilio bodySHA256 requests are tried with and without the port too", "[webhook][twilio]") {
  // sha256 of {"a":1}, as in test_webhook.cpp
  const std::string url =
      "https://mycompany.com/myapp.php?bodySHA256=015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862";
  const std::string with_port =
      "https://mycompany.com:443/myapp.php?bodySHA256=015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862";
  wh::Request request{"POST", url,
                      {{"X-Twilio-Signature", twilio_signature("12345", with_port)},
                       {"Content-Type", "application/json"}},
                      R"({"a":1})"};
  wh::Options options;
  options.secret = "12345";
  CHECK(wh::verify("twilio", request, options).ok);
  request.body = R"({"a":2})";
  CHECK(wh::verify("twilio", request, options).reason == "body does not match bodySHA256");
}
