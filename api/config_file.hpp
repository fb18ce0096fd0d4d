// weft.toml, read with toml++ (TOML 1.0): its values as nested JSON, and
// the line each key was written on, so that whoever checks the values can
// name FILE:LINE.
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft::api {

// "FILE:LINE: message" (or "FILE: message" when there is no line).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ConfigFile {
  std::string name;       // the file, as messages name it
  nlohmann::json values;  // tables as objects, arrays as arrays
  std::map<std::vector<std::string>, int> lines;  // key path ({"server", "db"}) -> line

  // "NAME:LINE" of the key at `path`, or "NAME" when its line is unknown.
  std::string where(const std::vector<std::string>& path) const;
};

// Parses `text`; `name` is used in error messages. Dates and times have
// no use in weft.toml and are refused.
ConfigFile parse_config(const std::string& text, const std::string& name);

// Reads and parses a file; throws ConfigError when it cannot be read.
ConfigFile read_config_file(const std::string& path);

}  // namespace weft::api
