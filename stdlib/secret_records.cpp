// Sealing, opening and describing stored secrets (see secret_records.hpp).
#include "stdlib/secret_records.hpp"

#include <cmath>
#include <stdexcept>

#include "engine/json_limits.hpp"
#include "engine/schedules.hpp"

namespace weft::stdlib {

std::string secret_label(const std::string& tenant, const std::string& name) {
  return tenant.empty() ? name : "\x1f" + tenant + "\x1f" + name;
}

void put_secret_value(engine::SecretStore& secrets, const SecretKeys& keys, const std::string& tenant,
                      const engine::SecretInfo& info, const std::string& value) {
  secrets.put_secret(tenant, info, keys.box().seal(secret_label(tenant, info.name), value));
}

std::optional<std::string> open_secret_value(engine::SecretStore& secrets, const SecretKeys& keys,
                                             const std::string& tenant, const std::string& name) {
  auto sealed = secrets.get_secret(tenant, name);
  if (!sealed) return std::nullopt;
  try {
    return keys.open(secret_label(tenant, name), *sealed);
  } catch (const std::exception&) {
    std::string where = tenant.empty() ? "" : " of tenant '" + tenant + "'";
    throw std::runtime_error("secrets: '" + name + "'" + where +
                             " cannot be opened (damaged, or sealed under another master key)");
  }
}

std::string secret_meta_text(const nlohmann::json& meta, const std::string& value) {
  if (meta.is_null()) return "{}";
  if (!meta.is_object()) throw std::invalid_argument("meta must be a table of fields (a JSON object)");
  std::string text = engine::dump_json(meta);
  if (text.size() > engine::kMaxSecretMetaBytes)
    throw std::invalid_argument("meta is " + std::to_string(text.size()) + " bytes as JSON; the limit is " +
                                std::to_string(engine::kMaxSecretMetaBytes));
  if (value.size() >= 4 && text.find(value) != std::string::npos)
    throw std::invalid_argument("meta must not hold the secret's value (it is stored and listed in clear)");
  return text;
}

int64_t secret_expiry_ms(const nlohmann::json& given) {
  if (given.is_number()) {
    double seconds = given.get<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0)
      throw std::invalid_argument("expires_at must be unix seconds between 1970 and 9999");
    return static_cast<int64_t>(std::llround(seconds * 1000));
  }
  if (given.is_string()) {
    auto seconds = engine::parse_rfc3339(given.get<std::string>());
    if (!seconds)
      throw std::invalid_argument("expires_at '" + given.get<std::string>() +
                                  "' is not RFC 3339 (2027-01-15T08:30:00Z)");
    return *seconds * 1000;
  }
  throw std::invalid_argument("expires_at must be unix seconds or RFC 3339 text");
}

}  // namespace weft::stdlib
