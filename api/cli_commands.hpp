// The weft subcommands in one table: name, arguments, summary and options.
// `weft --help`, `weft CMD --help`, the checking of options and the test
// that docs/cli.md agrees all read it.
#pragma once
#include <string>
#include <vector>

#include "api/cli_args.hpp"

namespace weft::api {

struct CommandSpec {
  std::string name;
  std::string arguments;  // the positionals, as usage shows them ("RUN_ID NAME")
  std::string summary;    // one line
  std::vector<CliOption> options;
  int (*run)(const CliArgs&);
  std::string notes;  // more text for `--help`, or empty
};

const std::vector<CommandSpec>& cli_commands();

// The command named `name`, or nullptr.
const CommandSpec* find_command(const std::string& name);

}  // namespace weft::api
