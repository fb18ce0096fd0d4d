// The weft binary as a user drives it from a shell, on a database in a
// temporary folder: each call appends --db, and test files are written
// into the same folder.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

namespace weft::testing {

struct WeftCli {
  TempDir dir;
  std::string db = (dir.path() / "weft.db").string();

  // `weft ARGS... --db DB`, to its end (bounded).
  ProcessResult operator()(std::vector<std::string> args) const;
  // Writes `text` to `name` under the folder (subfolders created); returns its path.
  std::string write(const std::string& name, const std::string& text) const;
  // The runs parked on an event; none while the process that creates the
  // database has not created it yet (weft runs then exits 2).
  nlohmann::json waiting_runs() const;
};

}  // namespace weft::testing
