// Command-line argument parsing (see cli_args.hpp).
#include "api/cli_args.hpp"

#include <fstream>
#include <sstream>

namespace weft::api {

CliArgs::CliArgs(int argc, char** argv, int first, std::set<std::string> flags) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    auto eq = name.find('=');
    if (eq != std::string::npos) {
      options_[name.substr(0, eq)] = name.substr(eq + 1);
    } else if (flags.count(name)) {
      flags_set_.insert(name);
    } else {
      if (i + 1 >= argc) throw UsageError("option --" + name + " needs a value");
      options_[name] = argv[++i];
    }
  }
}

std::string CliArgs::positional(size_t index, const char* what) const {
  if (index >= positionals_.size()) throw UsageError(std::string("missing ") + what);
  return positionals_[index];
}

std::optional<std::string> CliArgs::get(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::string CliArgs::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

void CliArgs::allow_only(const std::set<std::string>& allowed) const {
  for (const auto& [name, value] : options_)
    if (!allowed.count(name)) throw UsageError("unknown option --" + name);
  for (const auto& name : flags_set_)
    if (!allowed.count(name)) throw UsageError("unknown option --" + name);
}

std::string read_json_argument(const std::string& option, const std::string& value) {
  if (value.empty() || value[0] != '@') return value;
  std::ifstream in(value.substr(1), std::ios::binary);
  if (!in) throw UsageError("--" + option + ": cannot read " + value.substr(1));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace weft::api
