// Secret redaction (see redact.hpp).
#include "dsl/redact.hpp"

namespace weft::dsl {

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
      text.replace(at, secret.size(), kRedacted), at += std::string(kRedacted).size();
  }
  return text;
}

void redact(nlohmann::json& value, const std::vector<std::string>& secrets) {
  if (secrets.empty()) return;
  if (value.is_string()) {
    value = redact(value.get<std::string>(), secrets);
  } else if (value.is_structured()) {
    for (auto& item : value) redact(item, secrets);
  }
}

}  // namespace weft::dsl
