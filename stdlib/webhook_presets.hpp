// Webhook signature verification presets behind weft.webhook: GitHub, Slack,
// Stripe, Shopify, Twilio, Standard Webhooks, generic HMAC and RSA-SHA256,
// each checked as its provider documents it, over stdlib/crypto_primitives.hpp.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::stdlib::webhook {

// Orders header names ignoring ASCII case, so lookups are case-insensitive.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;
  std::string url;  // full URL as the provider requested it (Twilio signs it)
  Headers headers;
  std::string body;  // raw bytes as received
};

// Only the fields a preset reads matter; see docs/stdlib/webhook.md.
struct Options {
  std::string secret;
  std::string header;     // hmac, rsa_sha256: header holding the signature
  std::string algorithm;  // hmac: sha1 | sha256 | sha512 (empty: sha256)
  std::string encoding;   // hmac: hex | base64 (empty: hex)
  std::string prefix;     // hmac: text before the signature, e.g. "sha256="
  std::string public_key;  // rsa_sha256: PEM
  std::int64_t tolerance_seconds = 300;
  std::optional<std::int64_t> now_seconds;  // default: the system clock
};

struct Verdict {
  bool ok = false;
  std::string reason;  // empty when ok
};

// Checks `request` with the named preset. Bad input of any kind yields
// {false, reason}; only an unknown preset throws std::invalid_argument.
Verdict verify(const std::string& preset, const Request& request, const Options& options);

// The preset names verify() knows, e.g. for weft.verify.<preset>.
std::vector<std::string_view> preset_names();

// True for the presets that compare a signed timestamp with `now`
// (and so read the clock when options.now_seconds is empty).
bool uses_clock(std::string_view preset);

}  // namespace weft::stdlib::webhook
