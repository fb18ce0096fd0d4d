// The subset of TOML a weft.toml uses: [section] and [a.b] headers,
// `key = value` with strings ("..." with \" \\ \n \t escapes, or '...'),
// integers, floats, true/false, and one-line inline tables { k = v, ... };
// quoted keys for names with dots ("api.example.com" = {...}); # comments.
#pragma once
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace weft::api {

// "FILE:LINE: message".
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The document as nested JSON objects. `name` is used in error messages.
nlohmann::json parse_config(const std::string& text, const std::string& name);

// Reads and parses a file; throws ConfigError when it cannot be read.
nlohmann::json read_config_file(const std::string& path);

}  // namespace weft::api
