// A webhook route as a workflow declares it in `on`:
// weft.webhook { path = "/hooks/github", verify = weft.verify.github "gh.secret",
//                event = function(req) ... end, dedup = "header:X-GitHub-Delivery",
//                limit = { rate = 10, per = "1s" } }.
// The `event` function stays in Lua; the rest is data checked at load.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/rate_limiter.hpp"

namespace weft::engine {

// The verification presets a route may name; stdlib/webhook_presets.cpp
// implements each (a unit test checks it knows them all).
std::vector<std::string_view> verify_presets();
// True for the presets that compare a signed timestamp with `now`
// (and so read the clock when VerifyOptions::now_seconds is empty).
bool preset_uses_clock(std::string_view preset);

// Only the fields a preset reads matter; see docs/stdlib/webhook.md.
struct VerifyOptions {
  std::string secret;
  std::string header;     // hmac, rsa_sha256: header holding the signature
  std::string algorithm;  // hmac: sha1 | sha256 | sha512 (empty: sha256)
  std::string encoding;   // hmac: hex | base64 (empty: hex)
  std::string prefix;     // hmac: text before the signature, e.g. "sha256="
  std::string public_key;  // rsa_sha256: PEM
  std::int64_t tolerance_seconds = 300;
  std::optional<std::int64_t> now_seconds;  // default: the system clock
};

// How deliveries are verified: a preset and the weft.secrets name of its
// key, read when a delivery arrives.
struct WebhookVerify {
  std::string preset;
  std::string secret;  // for rsa_sha256: the PEM public key, unless options.public_key is given
  VerifyOptions options;  // header, algorithm, ...; `secret` is filled per delivery
};

struct WebhookSpec {
  std::string path;                     // "/hooks/..."
  std::optional<WebhookVerify> verify;  // nullopt: `verify = false`, deliveries are not checked
  std::string dedup;                    // "" | "header:NAME" | "json:field.path" | "body"
  std::optional<LimitSpec> limit;
  std::string tenant;  // the tenant of the runs it starts ("" none, unless `event` gives one)
  bool has_event = false;
  int trigger_index = 0;  // 1-based position in `on` (where `event` is found)
  std::string where;      // "file.lua:12", the weft.webhook call
};

// The trigger as listings show it: {type: "webhook", path, verify (the
// preset, or false), dedup and tenant (when declared)}.
nlohmann::json to_json(const WebhookSpec& spec);

// Checks the preset and its secret; throws std::invalid_argument.
void validate_verify(const WebhookVerify& verify);
// Checks the path, the dedup form, the tenant name and validate_verify; throws
// std::invalid_argument naming the field at fault.
void validate_webhook(const WebhookSpec& spec);

}  // namespace weft::engine
