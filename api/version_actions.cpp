// Fork and redrive on another version (see version_actions.hpp).
#include "api/version_actions.hpp"

#include "engine/divergence.hpp"
#include "engine/fork.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

bool is_step(const engine::HistoryEvent& event) {
  return event.kind == engine::EventKind::Step || event.kind == engine::EventKind::Compensation;
}

json call_json(const engine::HistoryEvent& event) {
  json out = {{"seq", event.seq}, {"path", event.path}, {"kind", engine::to_string(event.kind)},
              {"name", event.name}, {"location", event.location.empty() ? json() : json(event.location)}};
  if (is_step(event)) {
    out["side_effects"] = true;  // assumed of every step
    out["idempotency_key"] = event.step_key_read;
  }
  return out;
}

// Replays `history` as the history of a run in flight on `version`: it
// must not diverge before its end.
dsl::ReplayReport replay_in_flight(const engine::Run& run, const std::vector<engine::HistoryEvent>& history,
                                   const engine::ScriptVersion& version) {
  engine::Run in_flight = run;
  in_flight.status = engine::RunStatus::Pending;
  in_flight.result = in_flight.error = nullptr;
  dsl::Replayer replayer;
  return replayer.replay(in_flight, history, version);
}

}  // namespace

ForkResult fork_run(engine::Store& store, const engine::Run& original,
                    const engine::ScriptVersion& version, const ForkRequest& request, int64_t now) {
  auto history = store.runs().history(original.id);
  engine::ForkPoint point = engine::find_fork_point(history, request.position);
  json input = request.input ? *request.input : original.input;
  engine::Run fork = engine::fork_run_record(original, point, version.hash, input, now);
  auto prefix = engine::fork_prefix(history, point, fork.id);

  ForkResult result;
  result.check = replay_in_flight(fork, prefix, version);
  json again = json::array(), children = json::array();
  int64_t replayed = 0, last_seq = 0;
  for (const auto& event : prefix) {
    if (event.seq != last_seq) ++replayed;
    last_seq = event.seq;
    if (event.kind == engine::EventKind::Child && event.attempt == 1)
      children.push_back({{"seq", event.seq}, {"name", event.name}, {"outcome", "replayed"}});
  }
  for (const auto& event : engine::fork_suffix(history, point)) {
    again.push_back(call_json(event));
    if (event.kind == engine::EventKind::Child)
      children.push_back({{"seq", event.seq}, {"name", event.name}, {"outcome", "started again"}});
  }
  result.preview = {{"run", original.id},
                    {"from", {{"seq", point.seq}, {"path", point.path}}},
                    {"version", version.hash},
                    {"input_changed", input != original.input},
                    {"replayed", replayed},
                    {"calls_again", std::move(again)},
                    {"children", std::move(children)},
                    {"check", dsl::to_json(result.check)}};
  result.refused = result.check.divergence && !request.force;
  if (request.dry_run || result.refused) return result;
  store.scripts().put_version(version);
  if (!engine::commit_fork(store, fork, prefix))
    throw std::runtime_error("the fork's run id " + fork.id + " is taken");
  result.fork_id = fork.id;
  return result;
}

VersionRetry retry_on_version(engine::Store& store, const engine::Run& run,
                              const engine::ScriptVersion& version, int64_t now) {
  VersionRetry result;
  if (auto refusal = engine::redrive_refusal(run)) {
    result.outcome = *refusal;
    return result;
  }
  auto history = store.runs().history(run.id);
  for (auto& marker : engine::redrive_markers(history, now)) history.push_back(std::move(marker));
  result.check = replay_in_flight(run, history, version);
  if (result.check.divergence) {
    result.refused = true;
    return result;
  }
  store.scripts().put_version(version);
  result.outcome = engine::redrive_run(store, run.id, now, version.hash);
  return result;
}

}  // namespace weft::api
