// A real `weft serve` for end-to-end tests (on 127.0.0.1, a free port,
// a temporary database) and a small libcurl client to talk to it.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace weft::testing {

struct HttpReply {
  long status = 0;  // 0: the transfer failed (refused, reset, timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// One request; `headers` are sent as given ("Name: value" lines built from the map).
HttpReply http_request(const std::string& method, const std::string& url, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

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
