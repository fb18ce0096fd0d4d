// The weft binary driven as from a shell (see weft_cli.hpp).
#include "tests/support/weft_cli.hpp"

#include <filesystem>
#include <fstream>

namespace weft::testing {

ProcessResult WeftCli::operator()(std::vector<std::string> args) const {
  args.insert(args.begin(), WEFT_BINARY);
  args.push_back("--db");
  args.push_back(db);
  return run_command(args);
}

std::string WeftCli::write(const std::string& name, const std::string& text) const {
  auto path = dir.path() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

nlohmann::json WeftCli::waiting_runs() const {
  auto listed = (*this)({"runs", "--json", "--status", "waiting"});
  return listed.exit_code == 0 ? nlohmann::json::parse(listed.out) : nlohmann::json::array();
}

}  // namespace weft::testing
