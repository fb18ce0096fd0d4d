// Command-line arguments of the weft subcommands: positionals, options
// with a value (--db PATH or --db=PATH) and boolean flags (--json).
#pragma once
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

class CliArgs {
 public:
  // `flags` are the options that take no value; any other --name takes one.
  CliArgs(int argc, char** argv, int first, std::set<std::string> flags);

  const std::vector<std::string>& positionals() const { return positionals_; }
  std::string positional(size_t index, const char* what) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  bool flag(const std::string& name) const { return flags_set_.count(name) > 0; }
  // Rejects options not in `allowed` (flags included).
  void allow_only(const std::set<std::string>& allowed) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::string> options_;
  std::set<std::string> flags_set_;
};

// The master key file: --key-file, or the database path + ".key".
std::string key_file_for(const CliArgs& args);

// The JSON given as TEXT or @FILE; throws UsageError naming `option`.
std::string read_json_argument(const std::string& option, const std::string& value);

}  // namespace weft::api
