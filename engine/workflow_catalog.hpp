// What the engine needs to know of the workflows a process offers: their
// current versions by name, their declarations (schedules, webhooks,
// secrets), and the code of any stored version. The engine reads it;
// the Lua loader (dsl/lua_workflow_catalog.hpp) implements it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/queue_spec.hpp"
#include "engine/schedule_spec.hpp"
#include "engine/script_version.hpp"
#include "engine/webhook_spec.hpp"

namespace weft::engine {

struct ScriptInfo {
  std::string hash;  // the version (script_version.hpp)
  std::string workflow;
  std::string path;
  int64_t timeout_ms = 0;
  std::vector<ScheduleSpec> schedules;
  std::vector<WebhookSpec> webhooks;
  std::vector<std::string> secrets;  // the declared secret names and ".*" patterns
  // The weft.queue, or per-key concurrency, its runs go through; name "" when none.
  QueueSpec queue;
};

// A webhook path and the workflow (current version) that declares it.
struct WebhookRoute {
  ScriptInfo script;
  WebhookSpec spec;
};

class WorkflowCatalog {
 public:
  virtual ~WorkflowCatalog() = default;

  // The current version of `workflow`, the one new runs get.
  virtual std::optional<ScriptInfo> by_name(const std::string& workflow) const = 0;
  virtual std::vector<ScriptInfo> all() const = 0;
  virtual std::optional<WebhookRoute> webhook(const std::string& path) const = 0;
  // The queues the current versions declare (each name once).
  virtual std::vector<QueueSpec> queues() const = 0;
  // A version's code (current or not); throws if unknown.
  virtual ScriptVersion version(const std::string& hash) = 0;
};

}  // namespace weft::engine
