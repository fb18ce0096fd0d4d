// Command-line arguments of the weft subcommands: positionals, options
// with a value (--db PATH or --db=PATH) and flags (--json), checked
// against the command's declared options (api/cli_commands.cpp).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft::api {

// Where runs live unless --db says otherwise.
constexpr const char* kDefaultDb = "./weft.db";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One option of a subcommand: `--name VALUE`, or a flag when `value` is empty.
struct CliOption {
  std::string name;   // without the leading "--"
  std::string value;  // placeholder shown in help ("PATH"); empty: a flag
  std::string help;   // one line
};

class CliArgs {
 public:
  // Throws UsageError for an option not in `options`, a missing value or
  // a flag given a value, unless --help or -h is among the arguments.
  CliArgs(int argc, char** argv, int first, const std::vector<CliOption>& options);

  bool help() const { return help_; }
  const std::vector<std::string>& positionals() const { return positionals_; }
  std::string positional(size_t index, const char* what) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  // --NAME as a whole number of at least 1, `fallback` when absent; throws
  // UsageError otherwise.
  int64_t count_or(const std::string& name, int64_t fallback) const;
  bool flag(const std::string& name) const { return flags_set_.count(name) > 0; }

 private:
  bool help_ = false;
  std::vector<std::string> positionals_;
  std::map<std::string, std::string> options_;
  std::set<std::string> flags_set_;
};

// The master key file: --key-file, or the database path + ".key".
std::string key_file_for(const CliArgs& args);

// The JSON given as TEXT or @FILE, parsed; throws UsageError naming
// `option` for an unreadable file or text that is not JSON.
nlohmann::json json_argument(const std::string& option, const std::string& value);

}  // namespace weft::api
