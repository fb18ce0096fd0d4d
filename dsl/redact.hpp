// Keeps secret values out of history: every string in a recorded result
// or error has each secret value read during the step replaced.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace weft::dsl {

constexpr const char* kRedacted = "[secret]";

void redact(nlohmann::json& value, const std::vector<std::string>& secrets);
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace weft::dsl
