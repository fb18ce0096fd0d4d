// End-to-end tests of `weft serve`: the real binary on 127.0.0.1:0 with a
// temporary workflows folder and database, and clients for it (libcurl
// requests, raw bytes on a socket).
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/serve_process.hpp"

namespace weft::testing {

struct Reply {
  long status = 0;  // 0: the transfer failed
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json_body() const { return nlohmann::json::parse(body); }
};

// One request with libcurl; `headers` as "Name: value" lines.
Reply request(const std::string& method, const std::string& url, const std::string& body = "",
              const std::string& token = "", const std::vector<std::string>& headers = {});

// Sends raw bytes, half-closes, and returns everything the server answered
// before closing (bounded by a receive timeout).
std::string raw_exchange(unsigned short port, const std::string& bytes);

struct ServeOptions {
  std::map<std::string, std::string> env;
  std::vector<std::string> args;                  // extra arguments of weft serve
  std::map<std::string, std::string> workflows;   // file name (without .lua) -> source
};

// A `weft serve` with examples/hello.lua, a `waiter` workflow (waits for
// the event "go"), a broken file, and `options.workflows`.
class Server {
 public:
  explicit Server(ServeOptions options = {});
  std::string url(const std::string& path) const;
  std::string db() const { return (dir.path() / "weft.db").string(); }
  // GETs the run until its status is `status` (bounded); the last answer.
  nlohmann::json await_status(const std::string& id, const std::string& status,
                              const std::string& token = "") const;

  TempDir dir;
  std::unique_ptr<ServeProcess> serve;
  Process* process = nullptr;  // serve's
  unsigned short port = 0;
};

}  // namespace weft::testing
