// The workflows a process knows: each file is validated, its source stored
// by content hash (so a run finishes on the version it started with), and
// its name mapped to the current version for new runs.
#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/schedule_spec.hpp"
#include "engine/store.hpp"
#include "engine/webhook_spec.hpp"

namespace weft::engine {

struct ScriptInfo {
  std::string hash;
  std::string workflow;
  std::string path;
  int64_t timeout_ms = 0;
  std::vector<ScheduleSpec> schedules;
  std::vector<WebhookSpec> webhooks;
  std::vector<std::string> secrets;  // the declared secret names and ".*" patterns
};

// A webhook path and the workflow (current version) that declares it.
struct WebhookRoute {
  ScriptInfo script;
  WebhookSpec spec;
};

std::string sha256_hex(const std::string& data);

class WorkflowCatalog {
 public:
  WorkflowCatalog(Store& store, std::string workflows_dir);
  // A catalog that only reads and validates: versions are kept in memory,
  // none is stored (for listings that need no database).
  explicit WorkflowCatalog(std::string workflows_dir);

  // Validates and registers one workflow file. Throws std::runtime_error
  // "file:line: message" for a bad file, when it declares no workflow, or
  // when it declares a webhook path another workflow has.
  ScriptInfo add_file(const std::string& path);
  // Registers every workflow file directly in the folder; returns one
  // message per bad file (the others are registered).
  std::vector<std::string> add_folder();
  // Reads the folder again: a changed file's version is what new runs
  // get, a removed file's workflow is no longer offered, a file that now
  // fails keeps its previous version (and is reported). Runs in flight
  // finish on their own version whatever happens here.
  std::vector<std::string> reload();

  std::optional<ScriptInfo> by_name(const std::string& workflow) const;
  std::vector<ScriptInfo> all() const;
  std::optional<WebhookRoute> webhook(const std::string& path) const;
  // The source of a version, from memory or the store; throws if unknown.
  std::string source(const std::string& hash);
  const std::string& workflows_dir() const { return dir_; }

 private:
  std::optional<ScriptInfo> load_file(const std::string& path);
  std::vector<std::string> read_folder(std::map<std::string, ScriptInfo>& into);
  // Throws "file:line: ..." when `info` declares a webhook path that
  // another workflow in `registered` has.
  static void check_webhook_paths(const ScriptInfo& info,
                                  const std::map<std::string, ScriptInfo>& registered);

  Store* store_;  // null: nothing is stored
  std::string dir_;
  mutable std::mutex mutex_;
  std::map<std::string, ScriptInfo> by_name_;
  std::map<std::string, std::string> sources_;
};

}  // namespace weft::engine
