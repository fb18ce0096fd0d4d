// Moving a run onto other code, each checked first by a replay with no
// side effects (dsl/replayer.hpp): forking it from a position (weft fork,
// POST /v1/runs/{id}/fork) and redriving a failed run on another version
// (weft retry --latest, POST /v1/runs/{id}/retry). Shared by the CLI and
// the HTTP API.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "dsl/replayer.hpp"
#include "engine/redrive.hpp"
#include "engine/script_version.hpp"
#include "engine/store.hpp"

namespace weft::api {

struct ForkRequest {
  std::string position;                 // a seq ("7") or a branch path ("4/2/1")
  std::optional<nlohmann::json> input;  // default: the original's
  bool dry_run = false;                 // preview only: nothing is written
  bool force = false;                   // fork even if the replayed prefix diverges
};

struct ForkResult {
  // What the fork replays and executes again (docs/cli.md, weft fork).
  nlohmann::json preview;
  dsl::ReplayReport check;  // the copied prefix replayed on the version
  bool refused = false;     // the prefix diverged and force was not given
  std::string fork_id;      // the new run; "" for a dry run or a refusal
};

// Throws std::invalid_argument for a position history does not have.
ForkResult fork_run(engine::Store& store, const engine::Run& original,
                    const engine::ScriptVersion& version, const ForkRequest& request, int64_t now);

struct VersionRetry {
  engine::RetryOutcome outcome = engine::RetryOutcome::NotFound;
  dsl::ReplayReport check;  // the run's history, its failures superseded, on the version
  bool refused = false;     // that replay diverged: nothing was changed
};

// Redrives the failed `run` on `version` unless its replay diverges.
VersionRetry retry_on_version(engine::Store& store, const engine::Run& run,
                              const engine::ScriptVersion& version, int64_t now);

}  // namespace weft::api
