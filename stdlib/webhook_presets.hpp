// Webhook signature verification presets behind weft.webhook: GitHub, Slack,
// Stripe, Shopify, Twilio, Standard Webhooks, generic HMAC and RSA-SHA256,
// each checked as its provider documents it, over stdlib/crypto_primitives.hpp.
// The preset names and their options are declared in engine/webhook_spec.hpp.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/webhook_spec.hpp"

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

using Options = engine::VerifyOptions;

struct Verdict {
  bool ok = false;
  std::string reason;  // empty when ok
};

// Checks `request` with the named preset. Bad input of any kind yields
// {false, reason}; only an unknown preset throws std::invalid_argument.
Verdict verify(const std::string& preset, const Request& request, const Options& options);

}  // namespace weft::stdlib::webhook
