// The weft.toml reader (see config_file.hpp): toml++ parses, this file
// turns its tree into JSON and keeps each key's line.
#include "api/config_file.hpp"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace weft::api {
namespace {

using nlohmann::json;

json to_json(const toml::node& node, std::vector<std::string>& path, ConfigFile& out) {
  if (const auto* table = node.as_table()) {
    json object = json::object();
    for (const auto& [key, value] : *table) {
      path.emplace_back(key.str());
      out.lines[path] = static_cast<int>(key.source().begin.line);
      object[path.back()] = to_json(value, path, out);
      path.pop_back();
    }
    return object;
  }
  if (const auto* array = node.as_array()) {
    json list = json::array();
    for (const auto& element : *array) list.push_back(to_json(element, path, out));
    return list;
  }
  if (auto text = node.value_exact<std::string>()) return *text;
  if (auto integer = node.value_exact<int64_t>()) return *integer;
  if (auto number = node.value_exact<double>()) return *number;
  if (auto boolean = node.value_exact<bool>()) return *boolean;
  throw ConfigError(out.where(path) + ": a date or time, which no weft.toml setting takes");
}

}  // namespace

std::string ConfigFile::where(const std::vector<std::string>& path) const {
  auto it = lines.find(path);
  if (it == lines.end() || it->second < 1) return name;
  return name + ":" + std::to_string(it->second);
}

ConfigFile parse_config(const std::string& text, const std::string& name) {
  ConfigFile out{name, nullptr, {}};
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(name + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  std::vector<std::string> path;
  out.values = to_json(root, path, out);
  return out;
}

ConfigFile read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace weft::api
