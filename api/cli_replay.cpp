// weft replay: a recorded run (or many) re-executed against its own code
// or a candidate version, with no side effects, reporting the first
// divergence. Exit 0: no divergence; 1: one (or, for many runs, any)
// diverged; 2: usage or load error.
#include <ctime>
#include <iostream>
#include <map>

#include "api/candidate_version.hpp"
#include "api/cli_args.hpp"
#include "api/cli_bundle.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "api/replay_render.hpp"
#include "dsl/replayer.hpp"
#include "engine/duration.hpp"
#include "engine/json_limits.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

// --since: a duration back from now ("24h") or a UTC date
// ("2026-12-01" or "2026-12-01T08:00:00Z"), as ms since the epoch.
int64_t since_ms(const std::string& text) {
  std::tm tm{};
  for (const char* format : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"}) {
    tm = {};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end && *end == '\0') return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  try {
    return static_cast<int64_t>(std::time(nullptr)) * 1000 - engine::parse_duration_ms(text);
  } catch (const std::exception&) {
    throw UsageError("--since: expected a duration (24h) or a UTC date (2026-12-01), not '" +
                     text + "'");
  }
}

int replay_one(const CliArgs& args) {
  engine::RunBundle recorded = recorded_run(args, "run id (weft replay RUN_ID)");
  const engine::Run& run = recorded.run;
  engine::ScriptVersion current = candidate_version(args, run, recorded.version);
  dsl::Replayer replayer;
  dsl::ReplayReport report = replayer.replay(run, recorded.history, current);
  if (args.flag("json")) {
    json out = dsl::to_json(report);
    out["run"] = run.id;
    out["version"] = current.hash;
    std::cout << engine::dump_json(out, 2) << std::endl;
  } else {
    std::cout << render_replay(report, run, recorded.version, current);
  }
  return report.divergence ? 1 : 0;
}

// Many runs of one workflow against one candidate: the pre-deploy gate.
int replay_many(const CliArgs& args) {
  if (!args.get("script") && !args.flag("latest"))
    throw UsageError("--workflow: give the candidate code with --script FILE or --latest");
  engine::RunFilter filter;
  filter.workflow = *args.get("workflow");
  if (auto status = args.get("status")) {
    filter.status = engine::run_status_from(*status);
    if (!filter.status) throw UsageError("--status: unknown status '" + *status + "'");
  }
  if (auto since = args.get("since")) filter.created_since = since_ms(*since);
  filter.limit = std::stoll(args.get_or("limit", "1000"));
  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  auto runs = store.runs().list_runs(filter);

  std::optional<engine::ScriptVersion> current;
  dsl::Replayer replayer;
  int64_t diverged = 0, differs = 0;
  struct Group {
    int64_t runs = 0;
    std::string example;
    json divergence;
  };
  std::map<std::string, Group> by_position;  // keyed by the divergence's JSON text
  for (const auto& run : runs) {
    if (!current) current = candidate_version(args, run, recorded_version(run, store.scripts()));
    auto report = replayer.replay(run, store.runs().history(run.id), *current);
    if (report.result_differs) ++differs;
    if (!report.divergence) continue;
    ++diverged;
    json divergence = engine::to_json(*report.divergence);
    Group& group = by_position[divergence.dump()];
    if (group.runs++ == 0) {
      group.example = run.id;
      group.divergence = std::move(divergence);
    }
  }
  if (args.flag("json")) {
    json groups = json::array();
    for (auto& [key, group] : by_position) {
      json entry = group.divergence;
      entry["runs"] = group.runs;
      entry["example"] = group.example;
      groups.push_back(std::move(entry));
    }
    json out = {{"workflow", filter.workflow},
                {"version", current ? json(current->hash) : json()},
                {"replayed", runs.size()},
                {"diverged", diverged},
                {"result_differs", differs},
                {"divergences", std::move(groups)}};
    std::cout << engine::dump_json(out, 2) << std::endl;
  } else {
    std::cout << "replayed " << runs.size() << " runs of " << filter.workflow
              << (current ? " on version " + current->hash.substr(0, 12) : std::string()) << ": "
              << runs.size() - static_cast<size_t>(diverged) << " without divergence, " << diverged
              << " diverged, " << differs << " end differently\n";
    for (const auto& [key, group] : by_position) {
      std::cout << "  " << group.runs << " run(s) at position " << group.divergence["position"].dump()
                << ": recorded " << group.divergence["recorded"].dump() << ", current "
                << group.divergence["current"].dump() << " (e.g. " << group.example << ")\n";
    }
  }
  return diverged > 0 ? 1 : 0;
}

}  // namespace

int cmd_replay(const CliArgs& args) {
  if (args.get("workflow")) {
    if (!args.positionals().empty()) throw UsageError("give a RUN_ID or --workflow NAME, not both");
    return replay_many(args);
  }
  return replay_one(args);
}

}  // namespace weft::api
