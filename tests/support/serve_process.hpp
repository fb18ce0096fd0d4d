// A real `weft serve` process for end-to-end tests and benchmarks: on
// 127.0.0.1 and a free port, with the given workflows folder and database
// (so a test can stop it and start another on the same database).
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace weft::testing {

class ServeProcess {
 public:
  // Starts `weft serve --listen 127.0.0.1:0 --workflows W --db D` plus
  // `extra_args`, and waits (bounded) for the banner with the port.
  ServeProcess(const std::filesystem::path& workflows, const std::filesystem::path& db,
               std::vector<std::string> extra_args = {}, std::map<std::string, std::string> env = {});

  std::string url(const std::string& path) const;
  unsigned short port() const { return port_; }
  Process& process() { return *process_; }
  // SIGTERM, then waits (bounded) for the exit.
  ProcessResult terminate();

 private:
  std::unique_ptr<Process> process_;
  unsigned short port_ = 0;
};

}  // namespace weft::testing
