// Child processes for end-to-end tests: spawn the real `weft` binary, wait
// for it with a bound, kill it like a crash would.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weft::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
};

class Process {
 public:
  // Starts `args` (args[0] is the program) with extra environment variables;
  // stdout and stderr go to files read back by wait().
  Process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void kill_hard();  // SIGKILL, then reap
  // What the process has written to stdout so far.
  std::string output_so_far() const;
  // Waits up to `timeout`; kills the process if it is still running then.
  ProcessResult wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  bool reaped_ = false;
};

// Runs a command to completion (bounded) and returns what it printed.
ProcessResult run_command(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace weft::testing
