// weft test: runs the *_test.lua files of the given paths (default: the
// workflows folder and examples/), one line per test, failures with their
// file:line and diff, then "N passed, N failed" (docs/testing.md).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api/cli_args.hpp"
#include "api/commands.hpp"
#include "api/junit_report.hpp"
#include "api/test_runner.hpp"
#include "engine/log.hpp"

namespace weft::api {
namespace {

void print_result(const TestResult& result) {
  std::printf("%s %s: %s (%.0f ms)\n", result.passed ? "ok  " : "FAIL", result.file.c_str(), result.name.c_str(),
              result.seconds * 1000);
  if (!result.passed) {
    std::string failure = result.failure;
    for (size_t at = 0; (at = failure.find('\n', at)) != std::string::npos; at += 6) failure.insert(at + 1, "     ");
    std::printf("     %s\n", failure.c_str());
  }
  std::fflush(stdout);
}

std::vector<std::string> default_paths() {
  std::vector<std::string> paths;
  for (const char* folder : {"workflows", "examples"})
    if (std::filesystem::is_directory(folder)) paths.emplace_back(folder);
  return paths;
}

}  // namespace

int cmd_test(const CliArgs& args) {
  std::vector<std::string> paths = args.positionals().empty() ? default_paths() : args.positionals();
  std::vector<std::string> files;
  try {
    files = find_test_files(paths);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (files.empty()) {
    std::string where;
    for (const auto& path : paths) where += (where.empty() ? "" : ", ") + path;
    throw UsageError("no *_test.lua files in " + (where.empty() ? "./workflows or ./examples" : where));
  }
  // The runs' warnings (a step failed, a run ended failed) are what tests
  // provoke on purpose: only errors of the engine itself are logged.
  log::configure(log::Level::Error, log::Format::Text);
  std::vector<TestResult> results;
  for (const auto& file : files)
    run_test_file(file, args.get_or("filter", ""), [&](const TestResult& result) {
      print_result(result);
      results.push_back(result);
    });
  int failed = 0;
  for (const auto& result : results) failed += result.passed ? 0 : 1;
  std::printf("%d passed, %d failed\n", static_cast<int>(results.size()) - failed, failed);
  if (auto junit = args.get("junit")) {
    std::ofstream out(*junit, std::ios::binary | std::ios::trunc);
    out << junit_xml(results);
    if (!out.flush()) throw std::runtime_error("cannot write " + *junit);
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace weft::api
