// weft test's runner: finds *_test.lua files and runs each test they
// register in an engine of its own (api/test_harness.hpp), one Lua state
// per file. Printing is the caller's (api/cli_test.cpp).
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace weft::api {

struct TestResult {
  std::string file;
  std::string name;  // "(load)" when the file itself failed to load
  bool passed = false;
  std::string failure;  // "file:line: message"
  double seconds = 0;
};

// The *_test.lua files of `paths` (files, or folders searched through),
// sorted. Throws std::invalid_argument for a path that does not exist.
std::vector<std::string> find_test_files(const std::vector<std::string>& paths);

// Runs the tests of the file whose names contain `filter` ("" for all),
// in the order the file registers them; `report` gets each result as it
// is known. The workflows are those of the file's folder.
void run_test_file(const std::string& path, const std::string& filter,
                   const std::function<void(const TestResult&)>& report);

// A test's own Lua code stops with an error after this long (the engine's
// runs have their budgets; this bounds a loop in the test itself).
constexpr int kTestTimeLimitSeconds = 60;

}  // namespace weft::api
