// Validation of webhook routes (see webhook_spec.hpp).
#include "engine/webhook_spec.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/tenant.hpp"

namespace weft::engine {
namespace {

bool path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '-' || c == '_' || c == '.';
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void validate_webhook(const WebhookSpec& spec) {
  const std::string prefix = "/hooks/";
  if (!starts_with(spec.path, prefix) || spec.path.size() == prefix.size())
    throw std::invalid_argument("path: expected \"/hooks/<name>\", got \"" + spec.path + "\"");
  if (!std::all_of(spec.path.begin(), spec.path.end(), path_char) ||
      spec.path.find("//") != std::string::npos || spec.path.back() == '/')
    throw std::invalid_argument("path: only letters, digits and / - _ . are allowed, without empty segments: \"" +
                                spec.path + "\"");
  bool header = starts_with(spec.dedup, "header:") && spec.dedup.size() > 7;
  bool json = starts_with(spec.dedup, "json:") && spec.dedup.size() > 5;
  if (!spec.dedup.empty() && !header && !json && spec.dedup != "body")
    throw std::invalid_argument("dedup: expected \"header:NAME\", \"json:field.path\" or \"body\", got \"" +
                                spec.dedup + "\"");
  if (!spec.tenant.empty() && !valid_tenant_name(spec.tenant))
    throw std::invalid_argument("tenant: a tenant name is 1-64 letters, digits, '-', '_' or '.'");
  if (spec.verify) validate_verify(*spec.verify);
}

nlohmann::json to_json(const WebhookSpec& spec) {
  nlohmann::json trigger = {{"type", "webhook"},
                            {"path", spec.path},
                            {"verify", spec.verify ? nlohmann::json(spec.verify->preset) : nlohmann::json(false)}};
  if (!spec.dedup.empty()) trigger["dedup"] = spec.dedup;
  if (!spec.tenant.empty()) trigger["tenant"] = spec.tenant;
  return trigger;
}

std::vector<std::string_view> verify_presets() {
  return {"github", "slack", "stripe", "shopify", "twilio", "standard", "hmac", "rsa_sha256"};
}

bool preset_uses_clock(std::string_view preset) {
  return preset == "slack" || preset == "stripe" || preset == "standard";
}

void validate_verify(const WebhookVerify& verify) {
  const auto names = verify_presets();
  if (std::find(names.begin(), names.end(), verify.preset) == names.end())
    throw std::invalid_argument("verify: unknown preset '" + verify.preset + "'");
  if (verify.secret.empty() && verify.options.public_key.empty())
    throw std::invalid_argument("verify: a secret name is required, e.g. weft.verify." +
                                verify.preset + " \"" + verify.preset + ".webhook\"");
  if ((verify.preset == "hmac" || verify.preset == "rsa_sha256") && verify.options.header.empty())
    throw std::invalid_argument("verify: the " + verify.preset + " preset needs header = \"...\"");
}

}  // namespace weft::engine
