// The webhook secrets cache (see webhook_secrets.hpp).
#include "api/webhook_secrets.hpp"

#include "api/http_types.hpp"

namespace weft::api {

std::string WebhookSecrets::get(const std::string& name) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = opened_.find(name);
    if (it != opened_.end() && it->second.expires > now) return it->second.value;
  }
  auto sealed = keys_ ? store_.secrets().get_secret(name) : std::nullopt;
  if (!sealed)
    throw ApiError(500, "webhook_secret_missing",
                   "the webhook secret '" + name + "' is not set (weft secrets set " + name + ")");
  std::string value;
  try {
    value = keys_->open(name, *sealed);
  } catch (const std::exception& e) {
    throw ApiError(500, "webhook_secret_unreadable", e.what());
  }
  std::lock_guard lock(mutex_);
  opened_[name] = {value, now + ttl_};
  return value;
}

}  // namespace weft::api
