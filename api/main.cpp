// weft: the command-line front end. One binary; the first argument names
// the subcommand, looked up in the table of api/cli_commands.cpp, which
// also gives every help text here (see docs/cli.md).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "api/cli_commands.hpp"
#include "engine/allocator_tuning.hpp"
#include "stdlib/native_modules.hpp"

namespace {

using weft::api::CommandSpec;

void print_commands(FILE* out) {
  std::fprintf(out,
               "usage: weft <command> [options]\n"
               "       weft <command> --help\n"
               "       weft --version\n\ncommands:\n");
  for (const auto& command : weft::api::cli_commands())
    std::fprintf(out, "  %-10s %s\n", command.name.c_str(), command.summary.c_str());
  std::fprintf(out, "\nThe database defaults to ./weft.db. See docs/cli.md.\n");
}

// The usage line and the options; with `notes`, the command's notes too.
void print_usage(FILE* out, const CommandSpec& command, bool notes) {
  std::string arguments = command.arguments.empty() ? "" : " " + command.arguments;
  std::fprintf(out, "usage: weft %s%s [options]\n\n%s\n\noptions:\n", command.name.c_str(),
               arguments.c_str(), command.summary.c_str());
  auto label = [](const weft::api::CliOption& o) {
    return "--" + o.name + (o.value.empty() ? "" : " " + o.value);
  };
  size_t width = 20;
  for (const auto& option : command.options) width = std::max(width, label(option).size() + 2);
  for (const auto& option : command.options)
    std::fprintf(out, "  %-*s %s\n", static_cast<int>(width), label(option).c_str(),
                 option.help.c_str());
  std::fprintf(out, "  %-*s %s\n", static_cast<int>(width), "-h, --help", "print this help");
  if (notes && !command.notes.empty()) std::fprintf(out, "\n%s", command.notes.c_str());
}

int run_command(const CommandSpec& command, int argc, char** argv) {
  try {
    weft::api::CliArgs args(argc, argv, 2, command.options);
    if (args.help()) {
      print_usage(stdout, command, true);
      return 0;
    }
    return command.run(args);
  } catch (const weft::api::UsageError& e) {
    std::fprintf(stderr, "weft %s: %s\n", command.name.c_str(), e.what());
    print_usage(stderr, command, false);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft %s: %s\n", command.name.c_str(), e.what());
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();
  weft::stdlib::register_native_modules();  // before any Lua state
  if (argc < 2) {
    print_commands(stderr);
    return 2;
  }
  std::string first = argv[1];
  if (first == "--version") {
    std::printf("weft %s (%s)\n", WEFT_VERSION, WEFT_COMMIT);
    return 0;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    if (argc > 2) {  // weft help COMMAND
      if (const CommandSpec* command = weft::api::find_command(argv[2])) {
        print_usage(stdout, *command, true);
        return 0;
      }
      std::fprintf(stderr, "weft: unknown command '%s'\n", argv[2]);
      print_commands(stderr);
      return 2;
    }
    print_commands(stdout);
    return 0;
  }
  if (const CommandSpec* command = weft::api::find_command(first))
    return run_command(*command, argc, argv);
  std::fprintf(stderr, "weft: unknown command '%s'\n", first.c_str());
  print_commands(stderr);
  return 2;
}
