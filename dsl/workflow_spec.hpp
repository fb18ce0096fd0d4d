// What the engine needs to know of a workflow declaration: its name and
// its data parts (retry policy, timeout, budgets). The `run` function and
// the rest of the declaration stay in the Lua state.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/secret_grants.hpp"
#include "engine/retry_policy.hpp"
#include "engine/script_version.hpp"
#include "engine/schedule_spec.hpp"
#include "engine/queue_spec.hpp"
#include "engine/webhook_spec.hpp"
#include "engine/rate_limiter.hpp"

namespace weft::dsl {

struct WorkflowSpec {
  std::string name;
  engine::RetryPolicy retry;          // default for every step
  int64_t timeout_ms = 0;             // 0 = none
  int64_t instruction_budget = 200'000'000;  // per resume
  int64_t memory_limit = 64ll << 20;  // bytes of growth per resume
  int64_t wall_limit_ms = 30'000;     // wall-clock time per resume, C calls included (>= 1)
  int64_t history_limit = 50'000;     // events in a run's history
  int64_t child_depth_limit = 16;     // nested ctx:child levels below the root run
  int64_t children_limit = 1'000;     // ctx:child calls of one run
  int64_t branches_limit = 1'000;     // branches of one ctx:all / ctx:map call
  int64_t concurrent_branches_limit = 10'000;  // branches alive at once in a run (nested included)
  std::vector<std::pair<std::string, engine::LimitSpec>> limits;  // declared rate limits
  std::vector<engine::ScheduleSpec> schedules;  // weft.cron triggers in `on`
  std::vector<engine::WebhookSpec> webhooks;    // weft.webhook triggers in `on`
  engine::QueueSpec queue;                      // a weft.queue in `on`; name "" when none
  SecretGrants secrets;               // what weft.secrets may read and write
  // A workflow started once for each run of this one that ends failed or
  // compensated (dead-letter notification); "" for none.
  std::string on_failure;
  nlohmann::json declaration;         // data parts, for listings
  nlohmann::json graph;               // a pipeline's graph (pipeline_spec.hpp); null for a Lua body
  // A pipeline: where its weft.pipeline call is ("file:line"), the source
  // location its calls record (its entries are data, with no line).
  std::string pipeline_location;
};

// Reads the declaration table at `index`; throws std::runtime_error naming
// the bad field ("retry.attempts: expected an integer >= 1").
WorkflowSpec read_workflow_spec(lua_State* L, int index);

// Loads `source` as a workflow file: compiles it (text only, cached in the
// state under "file:" + chunkname) and runs it in a fresh environment
// under a budget of its own; its `require`s read the workflows folder.
// When it returns weft.workflow{...}, the declaration table is left on the
// stack and its spec returned; when it returns anything else (a helper
// module), nothing is left and nullopt returned. Throws std::runtime_error
// "file:line: message" for syntax and load errors.
std::optional<WorkflowSpec> load_workflow(lua_State* L, const std::string& source,
                                          const std::string& chunkname);

// The same for a stored script version: its workflow file, cached under
// the version's hash, with `require` bound to the version's modules
// (version_modules.hpp).
std::optional<WorkflowSpec> load_version(lua_State* L, const engine::ScriptVersion& version);

// Runs the workflow file again in the environment at `env` — the
// declaration a run (or a webhook event call) uses, with closures of its
// own — under the caller's active budget. `chunkname` as Lua wants it
// ("@path"); `source` may be empty once `key` is compiled. Returns true
// with the declaration pushed, or false with nothing pushed when the file
// returns no declaration. Throws std::runtime_error with Lua's message.
bool push_declaration(lua_State* L, int env, const std::string& key, std::string_view source,
                      const std::string& chunkname);

// True while push_declaration runs a file again: its declaration passed
// read_workflow_spec when the file loaded (same bytecode), so
// weft.workflow { ... } skips checking it a second time.
bool declaration_checked(lua_State* L);

}  // namespace weft::dsl
