// Parsing of API token entries (see auth_tokens.hpp).
#include "api/auth_tokens.hpp"

#include "engine/tenant.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace weft::api {
namespace {

constexpr std::string_view kSpace = " \t\r";

std::string_view trim(std::string_view text) {
  size_t start = text.find_first_not_of(kSpace);
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(kSpace) - start + 1);
}

// A `#` at the start of a line or after a blank starts a comment.
std::string_view without_comment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return trim(line.substr(0, i));
  return trim(line);
}

}  // namespace

ApiToken parse_token_entry(std::string_view entry) {
  entry = trim(entry);
  size_t space = entry.find_first_of(kSpace);
  ApiToken token{std::string(entry.substr(0, space)), ""};
  if (token.token.empty()) throw std::invalid_argument("empty token");
  if (space == std::string_view::npos) return token;
  std::string_view option = trim(entry.substr(space));
  constexpr std::string_view kTenant = "tenant=";
  if (option.substr(0, kTenant.size()) != kTenant)
    throw std::invalid_argument("after the token, only 'tenant=NAME' may follow");
  std::string_view tenant = option.substr(kTenant.size());
  if (!engine::valid_tenant_name(tenant))
    throw std::invalid_argument("a tenant name is 1-64 letters, digits, '-', '_' or '.'");
  token.tenant = std::string(tenant);
  return token;
}

std::vector<ApiToken> parse_token_list(std::string_view comma_separated) {
  std::vector<ApiToken> tokens;
  size_t index = 0;
  for (size_t start = 0; start <= comma_separated.size();) {
    size_t end = std::min(comma_separated.find(',', start), comma_separated.size());
    std::string_view entry = trim(comma_separated.substr(start, end - start));
    ++index;
    if (!entry.empty()) {
      try {
        tokens.push_back(parse_token_entry(entry));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("entry " + std::to_string(index) + ": " + e.what());
      }
    }
    start = end + 1;
  }
  return tokens;
}

std::vector<ApiToken> parse_token_file(std::string_view text) {
  std::vector<ApiToken> tokens;
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = without_comment(text.substr(start, end - start));
    ++line_number;
    if (!line.empty()) {
      try {
        tokens.push_back(parse_token_entry(line));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("line " + std::to_string(line_number) + ": " + e.what());
      }
    }
    start = end + 1;
  }
  return tokens;
}

}  // namespace weft::api
