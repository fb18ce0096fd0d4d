// The state of a run's workflow code at one of its recorded durable
// calls, rebuilt by replaying its history (with no side effects) up to
// that call: where the code is, the workflow frame's local variables and,
// on request, the value of a Lua expression evaluated there. `weft debug`
// and GET /v1/runs/{id}/frames/{seq} are made of these; going back is
// replaying from the start to an earlier call.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dsl/replayer.hpp"

namespace weft::dsl {

struct Frame {
  int64_t seq = 0;
  bool reached = false;   // false: the replay diverged or ended before the call
  std::string location;   // "file:line" of the call in the replayed code
  // The workflow frame's locals and upvalues by name, as JSON; what JSON
  // cannot hold (a function, a coroutine) as "<type>", also inside tables
  // (at most 8 levels and 100 entries per table are shown).
  nlohmann::json locals = nlohmann::json::object();
  bool evaluated = false;  // an expression was given
  nlohmann::json value;    // its value
  std::string error;      // why the expression failed
};

// The frame at the recorded call `seq` of `run`, replayed on `version`.
// `expression` (optional) is evaluated there, read-only: it sees the
// locals, upvalues and the run's globals, may not make durable calls, and
// whatever it changes is dropped with the replay.
Frame frame_at(Replayer& replayer, const engine::Run& run,
               const std::vector<engine::HistoryEvent>& history, const engine::ScriptVersion& version,
               int64_t seq, const std::string& expression = "");

// {"seq", "reached", "location", "locals"[, "value" | "error" with an expression]}
nlohmann::json to_json(const Frame& frame);

}  // namespace weft::dsl
