// The weft subcommands. Each gets its arguments already checked against
// its options (api/cli_commands.cpp) and returns the process exit code:
// 0 success, 1 the run failed (or was compensated or cancelled), 2 usage
// or load error.
#pragma once
#include "api/cli_args.hpp"

namespace weft::api {

int cmd_run(const CliArgs& args);        // cli_run.cpp
int cmd_start(const CliArgs& args);      // cli_run.cpp
int cmd_resume(const CliArgs& args);     // cli_run.cpp
int cmd_event(const CliArgs& args);      // cli_control.cpp
int cmd_cancel(const CliArgs& args);     // cli_control.cpp
int cmd_retry(const CliArgs& args);      // cli_control.cpp
int cmd_runs(const CliArgs& args);       // cli_inspect.cpp
int cmd_history(const CliArgs& args);    // cli_inspect.cpp
int cmd_secrets(const CliArgs& args);    // cli_secrets.cpp
int cmd_schedules(const CliArgs& args);  // cli_schedules.cpp
int cmd_queues(const CliArgs& args);     // cli_queues.cpp
int cmd_limits(const CliArgs& args);     // cli_limits.cpp
int cmd_serve(const CliArgs& args);      // cli_serve.cpp
int cmd_show(const CliArgs& args);       // cli_show.cpp
int cmd_replay(const CliArgs& args);     // cli_replay.cpp
int cmd_fork(const CliArgs& args);       // cli_fork.cpp
int cmd_export(const CliArgs& args);     // cli_bundle.cpp
int cmd_debug(const CliArgs& args);      // cli_debug.cpp
int cmd_import(const CliArgs& args);     // cli_bundle.cpp
int cmd_test(const CliArgs& args);       // cli_test.cpp
int cmd_blob(const CliArgs& args);       // cli_blob.cpp

}  // namespace weft::api
