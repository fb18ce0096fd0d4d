// Script versions (see script_version.hpp).
#include "engine/script_version.hpp"

#include <stdexcept>

#include "engine/content_hash.hpp"

namespace weft::engine {

const std::string& ScriptVersion::entry_source() const {
  auto it = files.find(entry);
  if (it == files.end())
    throw std::runtime_error("script version " + hash + " has no workflow file " + entry);
  return it->second;
}

std::string version_hash(const ScriptVersion& version) {
  if (version.modules.empty()) return sha256_hex(version.entry_source());
  // Keys sorted (nlohmann::json objects are ordered maps): one text per content.
  nlohmann::json manifest = {{"entry", version.entry}, {"modules", version.modules}};
  for (const auto& [name, source] : version.files) manifest["files"][name] = sha256_hex(source);
  return sha256_hex(manifest.dump());
}

std::string modules_json(const ScriptVersion& version) {
  if (version.modules.empty()) return "";
  nlohmann::json out = {{"modules", version.modules}, {"files", nlohmann::json::object()}};
  for (const auto& [name, source] : version.files)
    if (name != version.entry) out["files"][name] = source;
  return out.dump();
}

void read_modules_json(const std::string& text, ScriptVersion& version) {
  if (text.empty()) return;
  auto parsed = nlohmann::json::parse(text);
  for (const auto& [module, file] : parsed.at("modules").items())
    version.modules[module] = file.get<std::string>();
  for (const auto& [name, source] : parsed.at("files").items())
    version.files[name] = source.get<std::string>();
}

}  // namespace weft::engine
