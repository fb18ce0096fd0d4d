// The workflows a process offers, read from a folder of Lua files: each
// file is validated as a worker will load it, its version (the file and
// the folder modules it loads, engine/script_version.hpp) stored by hash
// so a run finishes on the version it started with, and its name mapped
// to the current version for new runs.
#pragma once
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/script_store.hpp"
#include "engine/workflow_catalog.hpp"

namespace weft::dsl {

// NAME_test.lua: a file of weft test's tests, never a workflow or module
// of the folder it is in.
bool is_test_file(const std::filesystem::path& path);

class LuaWorkflowCatalog : public engine::WorkflowCatalog {
 public:
  LuaWorkflowCatalog(engine::ScriptStore& store, std::string workflows_dir);
  // A catalog that only reads and validates: versions are kept in memory,
  // none is stored (for listings that need no database).
  explicit LuaWorkflowCatalog(std::string workflows_dir);

  // Validates and registers one workflow file. Throws std::runtime_error
  // "file:line: message" for a bad file, when it declares no workflow, or
  // when it declares a webhook path or a queue another workflow has.
  engine::ScriptInfo add_file(const std::string& path);
  // Registers every workflow file directly in the folder (test files
  // aside); returns one message per bad file (the others are registered).
  std::vector<std::string> add_folder();
  // Reads the folder again: a changed file's version is what new runs
  // get, a removed file's workflow is no longer offered, a file that now
  // fails keeps its previous version (and is reported). Runs in flight
  // finish on their own version whatever happens here.
  std::vector<std::string> reload();

  std::optional<engine::ScriptInfo> by_name(const std::string& workflow) const override;
  std::vector<engine::ScriptInfo> all() const override;
  std::optional<engine::WebhookRoute> webhook(const std::string& path) const override;
  std::vector<engine::QueueSpec> queues() const override;
  engine::ScriptVersion version(const std::string& hash) override;
  // The current version's description (workflow_description.hpp) with its
  // "version"; nullopt when no workflow has that name.
  std::optional<nlohmann::json> describe(const std::string& workflow) const;
  // Where `require` finds the workflows' own modules.
  const std::string& workflows_dir() const { return dir_; }

 private:
  using ByName = std::map<std::string, engine::ScriptInfo>;

  std::optional<engine::ScriptInfo> load_file(const std::string& path);
  std::vector<std::string> read_folder(ByName& into);
  // Throws "file:line: ..." when `info` declares a webhook path or a
  // queue that another workflow in `registered` has.
  static void check_unique_names(const engine::ScriptInfo& info, const ByName& registered);

  engine::ScriptStore* store_;  // null: nothing is stored
  std::string dir_;
  mutable std::mutex mutex_;
  ByName by_name_;
  std::map<std::string, engine::ScriptVersion> versions_;
  std::map<std::string, nlohmann::json> descriptions_;  // by version
};

}  // namespace weft::dsl
