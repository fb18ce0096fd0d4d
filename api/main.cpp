// weft: the command-line front end. One binary; the first argument names
// the subcommand (see docs/cli.md).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "api/cli_args.hpp"
#include "api/commands.hpp"
#include "engine/allocator_tuning.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const Command kCommands[] = {
    {"run", weft::api::cmd_run, "run FILE.lua [--input JSON|@file] [--db PATH] [--id ID]"},
    {"start", weft::api::cmd_start, "start FILE.lua [--input JSON|@file] [--db PATH] [--id ID]"},
    {"resume", weft::api::cmd_resume, "resume [--db PATH] [--workflows DIR] [--workers N]"},
    {"event", weft::api::cmd_event, "event RUN_ID NAME [--data JSON|@file] [--db PATH]"},
    {"cancel", weft::api::cmd_cancel, "cancel RUN_ID [--db PATH]"},
    {"retry", weft::api::cmd_retry, "retry RUN_ID [--db PATH]"},
    {"runs", weft::api::cmd_runs, "runs [--db PATH] [--status S] [--workflow W] [--json]"},
    {"history", weft::api::cmd_history, "history RUN_ID [--db PATH] [--json]"},
    {"schedules", weft::api::cmd_schedules, "schedules [--workflows DIR] [--json]"},
    {"serve", weft::api::cmd_serve,
     "serve [--config FILE] [--workflows DIR] [--db PATH] [--listen HOST:PORT] [--workers N]"
     " [--key-file PATH] [--shutdown-grace DUR] [--tokens-file PATH] (--help: all settings)"},
    {"secrets", weft::api::cmd_secrets,
     "secrets set NAME [--value V | --from-file F | stdin] | list | delete NAME | rotate-key"
     " [--db PATH] [--key-file PATH]"},
};

void usage(FILE* out) {
  std::fprintf(out, "usage: weft <command> [options]\n\ncommands:\n");
  for (const auto& command : kCommands) std::fprintf(out, "  weft %s\n", command.summary);
  std::fprintf(out, "\nThe database defaults to ./weft.db. See docs/cli.md.\n");
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& command : kCommands) {
    if (std::strcmp(argv[1], command.name) != 0) continue;
    try {
      return command.run(argc, argv);
    } catch (const weft::api::UsageError& e) {
      std::fprintf(stderr, "weft %s: %s\nusage: weft %s\n", command.name, e.what(),
                   command.summary);
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "weft %s: %s\n", command.name, e.what());
      return 2;
    }
  }
  std::fprintf(stderr, "weft: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
