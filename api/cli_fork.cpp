// weft fork: a new run from a position of a recorded one, on its own code
// or a candidate version, after a replay check of the copied prefix.
#include <cstdio>
#include <iostream>

#include "api/candidate_version.hpp"
#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "api/replay_render.hpp"
#include "api/version_actions.hpp"
#include "engine/clock.hpp"
#include "engine/json_limits.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

std::string preview_text(const json& preview, const engine::ScriptVersion& recorded) {
  std::string version = preview["version"];
  std::string out = "fork of run " + preview["run"].get<std::string>() + " from position " +
                    preview["from"]["path"].get<std::string>() + " (seq " +
                    std::to_string(preview["from"]["seq"].get<int64_t>()) + ") on version " +
                    version.substr(0, 12) + (version == recorded.hash ? " (its own)" : "") + "\n";
  if (preview["input_changed"] == true) out += "with a new input\n";
  out += "replays " + std::to_string(preview["replayed"].get<int64_t>()) +
         " recorded calls; executes again, if the code still makes them:\n";
  for (const auto& call : preview["calls_again"]) {
    out += "  seq " + std::to_string(call["seq"].get<int64_t>()) + "  " + call["kind"].get<std::string>() +
           " '" + call["name"].get<std::string>() + "'";
    if (call["location"].is_string()) out += " (" + call["location"].get<std::string>() + ")";
    if (call.contains("side_effects"))
      out += call["idempotency_key"] == true ? "  side effects; passes ctx.step_key (idempotent if the API honours it)"
                                              : "  side effects; no idempotency key (ctx.step_key unused)";
    else if (call["kind"] == "child")
      out += "  starts a new child run";
    out += "\n";
  }
  if (preview["calls_again"].empty()) out += "  (nothing: the fork replays to the run's end)\n";
  const json& check = preview["check"];
  out += check["diverged"] == true ? "the copied history diverges on this version (see below)\n"
                                   : "the copied history replays on this version with no divergence\n";
  return out;
}

}  // namespace

int cmd_fork(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft fork RUN_ID --from-step POSITION)");
  auto position = args.get("from-step");
  if (!position) throw UsageError("--from-step POSITION is required (a seq, or a branch path such as 4/2/1)");
  ForkRequest request;
  request.position = *position;
  if (auto input = args.get("input")) request.input = json_argument("input", *input);
  request.dry_run = args.flag("dry-run");
  request.force = args.flag("force");

  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  auto run = store.runs().get_run(run_id);
  if (!run) throw UsageError("no run " + run_id);
  engine::ScriptVersion recorded = recorded_version(*run, store.scripts());
  engine::ScriptVersion version = candidate_version(args, *run, recorded);
  ForkResult result;
  try {
    result = fork_run(store, *run, version, request, engine::SystemClock().now_ms());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--from-step: ") + e.what());
  }
  if (args.flag("json")) {
    json out = result.preview;
    out["refused"] = result.refused;
    out["fork"] = result.fork_id.empty() ? json() : json(result.fork_id);
    std::cout << engine::dump_json(out, 2) << std::endl;
  } else if (request.dry_run || result.refused) {
    std::cout << preview_text(result.preview, recorded);
  }
  if (result.check.divergence && (request.dry_run || result.refused) && !args.flag("json"))
    std::cout << render_replay(result.check, *run, recorded, version);
  if (result.refused) {
    std::fprintf(stderr, "weft fork: refused: the history before position %s diverges on version %s"
                         " (--force forks anyway)\n", position->c_str(), version.hash.substr(0, 12).c_str());
    return 1;
  }
  if (!request.dry_run && !args.flag("json")) std::cout << result.fork_id << std::endl;
  return 0;
}

}  // namespace weft::api
