// The webhook secrets cache (see webhook_secrets.hpp).
#include "api/webhook_secrets.hpp"

#include "api/http_types.hpp"
#include "engine/tenant.hpp"
#include "stdlib/secret_records.hpp"

namespace weft::api {

std::string WebhookSecrets::get(const std::string& name) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = opened_.find(name);
    if (it != opened_.end() && it->second.expires > now) return it->second.value;
  }
  std::optional<std::string> opened;
  try {  // a server-level secret: the shared namespace, whatever the route's tenant
    if (keys_) opened = stdlib::open_secret_value(store_.secrets(), *keys_, engine::kSharedTenant, name);
  } catch (const std::exception& e) {
    throw ApiError(500, "webhook_secret_unreadable", e.what());
  }
  if (!opened)
    throw ApiError(500, "webhook_secret_missing",
                   "the webhook secret '" + name + "' is not set (weft secrets set " + name + ")");
  std::string value = std::move(*opened);
  std::lock_guard lock(mutex_);
  opened_[name] = {value, now + ttl_};
  return value;
}

}  // namespace weft::api
