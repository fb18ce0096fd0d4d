// An engine on a real SQLite file in a temporary folder, driven by hand:
// a manual clock, one worker, no background scheduler. Tests write
// workflow files, start runs, move time, and read runs and history.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/store_open.hpp"
#include "engine/temp_dir.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::testing {

// A temporary folder removed at the end (engine/temp_dir.hpp).
struct TempDir : engine::TempDir {
  TempDir() : engine::TempDir("weft-test-") {}
};

class EngineFixture {
 public:
  // Makes the store in the fixture's folder; by default open_store on
  // <dir>/weft.db.
  using StoreMaker = std::function<std::unique_ptr<engine::Store>(const std::filesystem::path& dir)>;

  explicit EngineFixture(const StoreMaker& make_store = {});
  ~EngineFixture();

  // Writes workflows/<file>.lua and registers it in the catalog.
  void write_workflow(const std::string& file, const std::string& source);
  engine::Run start(const std::string& workflow, const nlohmann::json& input = nlohmann::json::object());
  // The same for a run of `tenant` (its weft.store, weft.blob and weft.secrets namespace).
  engine::Run start(const std::string& workflow, const nlohmann::json& input, const std::string& tenant);
  // Polls and waits until no run is in flight and none is due now.
  void settle();
  void advance(int64_t ms);
  engine::Run run(const std::string& id);
  std::vector<engine::HistoryEvent> history(const std::string& id);
  // Restarts the engine on the same database (a new process, as after a crash).
  void restart();

  TempDir dir;
  engine::ManualClock clock;
  std::unique_ptr<stdlib::SecretKeys> secret_keys;
  std::unique_ptr<engine::Store> store;
  std::unique_ptr<dsl::LuaWorkflowCatalog> catalog;
  std::unique_ptr<engine::Engine> engine;
};

}  // namespace weft::testing
