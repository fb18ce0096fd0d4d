// Request targets: splitting "/path?query" into percent-decoded path
// segments and query parameters.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::api {

struct Target {
  std::string path;                           // raw, without the query
  std::vector<std::string> segments;          // decoded, empty ones dropped
  std::map<std::string, std::string> query;   // decoded; the last repeat wins
};

// nullopt when a percent escape is malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::optional<Target> parse_target(std::string_view target);

}  // namespace weft::api
