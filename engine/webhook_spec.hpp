// A webhook route as a workflow declares it in `on`:
// weft.webhook { path = "/hooks/github", verify = weft.verify.github "gh.secret",
//                event = function(req) ... end, dedup = "header:X-GitHub-Delivery",
//                limit = { rate = 10, per = "1s" } }.
// The `event` function stays in Lua; the rest is data checked at load.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "stdlib/rate_limiter.hpp"
#include "stdlib/webhook_presets.hpp"

namespace weft::engine {

// How deliveries are verified: a preset of stdlib/webhook_presets.hpp and
// the weft.secrets name of its key, read when a delivery arrives.
struct WebhookVerify {
  std::string preset;
  std::string secret;  // for rsa_sha256: the PEM public key, unless options.public_key is given
  stdlib::webhook::Options options;  // header, algorithm, ...; `secret` is filled per delivery
};

struct WebhookSpec {
  std::string path;                     // "/hooks/..."
  std::optional<WebhookVerify> verify;  // nullopt: `verify = false`, deliveries are not checked
  std::string dedup;                    // "" | "header:NAME" | "json:field.path"
  std::optional<stdlib::LimitSpec> limit;
  bool has_event = false;
  int trigger_index = 0;  // 1-based position in `on` (where `event` is found)
  std::string where;      // "file.lua:12", the weft.webhook call
};

// Checks the preset and its secret; throws std::invalid_argument.
void validate_verify(const WebhookVerify& verify);
// Checks the path, the dedup form and validate_verify; throws
// std::invalid_argument naming the field at fault.
void validate_webhook(const WebhookSpec& spec);

}  // namespace weft::engine
