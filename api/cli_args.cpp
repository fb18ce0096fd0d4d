// Command-line argument parsing (see cli_args.hpp).
#include "api/cli_args.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "engine/json_limits.hpp"
#include "engine/utf8.hpp"

namespace weft::api {

CliArgs::CliArgs(int argc, char** argv, int first, const std::vector<CliOption>& options) {
  std::string problem;  // the first one; reported only when no help was asked for
  auto report = [&](const std::string& text) {
    if (problem.empty()) problem = text;
  };
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto option = std::find_if(options.begin(), options.end(),
                               [&](const CliOption& o) { return o.name == name; });
    if (option == options.end()) {
      report("unknown option --" + name);
    } else if (option->value.empty()) {
      if (value) report("option --" + name + " takes no value");
      flags_set_.insert(name);
    } else if (value) {
      options_[name] = *value;
    } else if (i + 1 < argc) {
      options_[name] = argv[++i];
    } else {
      report("option --" + name + " needs a value");
    }
  }
  if (!help_ && !problem.empty()) throw UsageError(problem);
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

int64_t CliArgs::count_or(const std::string& name, int64_t fallback) const {
  auto text = get(name);
  if (!text) return fallback;
  bool digits = !text->empty() && text->size() < 10 && text->find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoll(*text) < 1) throw UsageError("--" + name + " must be a whole number of at least 1");
  return std::stoll(*text);
}

nlohmann::json json_argument(const std::string& option, const std::string& value) {
  std::string text = value;
  if (!value.empty() && value[0] == '@') {
    std::ifstream in(value.substr(1), std::ios::binary);
    if (!in) throw UsageError("--" + option + ": cannot read " + value.substr(1));
    std::stringstream file;
    file << in.rdbuf();
    text = file.str();
  }
  try {
    return engine::parse_json(text);
  } catch (const engine::JsonTextError& e) {
    if (e.code == engine::JsonTextError::Code::TooDeep) throw UsageError("--" + option + ": " + e.what());
    throw UsageError("--" + option + " is not valid JSON: " + engine::sanitize_utf8(text.substr(0, 200)));
  }
}

}  // namespace weft::api
