// The server process for tests (see serve_process.hpp).
#include "tests/support/serve_process.hpp"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace weft::testing {
ServeProcess::ServeProcess(const std::filesystem::path& workflows, const std::filesystem::path& db,
                           std::vector<std::string> extra_args, std::map<std::string, std::string> env) {
  std::vector<std::string> args{WEFT_BINARY, "serve", "--listen", "127.0.0.1:0", "--workflows",
                                workflows.string(), "--db", db.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(args, env);
  const std::string banner = "weft serving on http://127.0.0.1:";
  for (int attempt = 0; attempt < 1000 && port_ == 0; ++attempt) {
    std::string out = process_->output_so_far();
    auto at = out.find(banner);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos)
      port_ = static_cast<unsigned short>(std::stoi(out.substr(at + banner.size())));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port_ == 0) throw std::runtime_error("weft serve did not start: " + process_->wait(std::chrono::seconds(1)).err);
}

std::string ServeProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

ProcessResult ServeProcess::terminate() {
  ::kill(process_->pid(), SIGTERM);
  return process_->wait(std::chrono::seconds(30));
}

}  // namespace weft::testing
