// The weft subcommands. Each returns the process exit code: 0 success,
// 1 the run failed (or was compensated or cancelled), 2 usage or load error.
#pragma once

namespace weft::api {

int cmd_run(int argc, char** argv);      // cli_run.cpp
int cmd_start(int argc, char** argv);    // cli_run.cpp
int cmd_resume(int argc, char** argv);   // cli_run.cpp
int cmd_event(int argc, char** argv);    // cli_control.cpp
int cmd_cancel(int argc, char** argv);   // cli_control.cpp
int cmd_retry(int argc, char** argv);    // cli_control.cpp
int cmd_runs(int argc, char** argv);     // cli_inspect.cpp
int cmd_history(int argc, char** argv);  // cli_inspect.cpp
int cmd_secrets(int argc, char** argv);  // cli_secrets.cpp
int cmd_schedules(int argc, char** argv);  // cli_schedules.cpp
int cmd_serve(int argc, char** argv);    // cli_serve.cpp

}  // namespace weft::api
