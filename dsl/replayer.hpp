// Replays a recorded run against a script version with no side effects:
// the workflow body runs again, every durable call is answered from the
// run's history (step functions are never called, so no I/O happens, and
// recorded now/uuid/random are handed back), and nothing is written. The
// first call history cannot answer stops the replay: a divergence (the
// code calls something else there) or the end of what was recorded.
//
// One Replayer keeps its Lua state and the versions it loaded, so replaying
// many runs of one version pays for loading it once.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/lua_state.hpp"
#include "dsl/run_context.hpp"
#include "dsl/workflow_spec.hpp"
#include "engine/divergence.hpp"
#include "engine/history_event.hpp"
#include "engine/rate_limiter.hpp"
#include "engine/run.hpp"
#include "engine/script_version.hpp"

namespace weft::dsl {

struct ReplayReport {
  int64_t replayed = 0;                          // durable calls history answered
  std::optional<engine::Divergence> divergence;  // the first, if any
  // How the replayed code ended when it ran to its end: "completed",
  // "failed" or "compensated", with its result or error; "" when it
  // stopped where the recorded history stops (a run in flight).
  std::string outcome;
  nlohmann::json result;
  nlohmann::json error;
  // The run had ended by its own code, and the replay ended otherwise
  // (another status, result, or error kind and message).
  bool result_differs = false;
};

// The report as `weft replay --json` and the API give it: diverged,
// replayed, position (null without a divergence), recorded, current,
// result_differs, outcome, and the replay's result or error.
nlohmann::json to_json(const ReplayReport& report);

class Replayer {
 public:
  Replayer();

  // Replays `run` with `history` on `version`. Throws std::runtime_error
  // when the version does not load. With `pause` (its pause_seq and
  // at_pause set), the replay stops at that call after at_pause ran.
  ReplayReport replay(const engine::Run& run, const std::vector<engine::HistoryEvent>& history,
                      const engine::ScriptVersion& version, const ReplayTrace* pause = nullptr);

 private:
  const WorkflowSpec& load(const engine::ScriptVersion& version);

  LuaState state_;
  engine::RateLimiter limiter_;  // declared limits only: ctx:acquire checks its keys
  std::map<std::string, WorkflowSpec> loaded_;
};

}  // namespace weft::dsl
