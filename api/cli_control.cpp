// weft event, weft cancel and weft retry: acting on runs through the
// store, so they work whichever process executes the run.
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
#include "engine/redrive.hpp"

namespace weft::api {

int cmd_event(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft event RUN_ID NAME)");
  std::string name = args.positional(1, "event name (weft event RUN_ID NAME)");
  nlohmann::json payload = nullptr;
  if (auto data = args.get("data")) payload = json_argument("data", *data);
  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  switch (store.runs().deliver_event(run_id, name, payload, engine::SystemClock().now_ms())) {
    case engine::DeliverOutcome::NotFound:
      std::fprintf(stderr, "weft: no run %s\n", run_id.c_str());
      return 1;
    case engine::DeliverOutcome::AlreadyFinished:
      std::fprintf(stderr, "weft: run %s has already ended\n", run_id.c_str());
      return 1;
    case engine::DeliverOutcome::Delivered:
      std::cout << "delivered " << name << " to " << run_id << std::endl;
      return 0;
  }
  return 1;
}

int cmd_cancel(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft cancel RUN_ID)");
  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  switch (store.runs().request_cancel(run_id, engine::SystemClock().now_ms())) {
    case engine::CancelOutcome::NotFound:
      std::fprintf(stderr, "weft: no run %s\n", run_id.c_str());
      return 1;
    case engine::CancelOutcome::AlreadyFinished:
      std::fprintf(stderr, "weft: run %s has already ended\n", run_id.c_str());
      return 1;
    case engine::CancelOutcome::Cancelled:
      std::cout << "cancelled " << run_id << std::endl;
      return 0;
    case engine::CancelOutcome::Requested:
      std::cout << "cancellation requested for " << run_id
                << " (it stops at its next durable call)" << std::endl;
      return 0;
  }
  return 1;
}

namespace {

// weft retry --latest / --script: the run on other code, if its history
// replays on it.
int retry_on_other_code(const CliArgs& args, engine::Store& store, const std::string& run_id,
                        engine::RetryOutcome& outcome) {
  auto run = store.runs().get_run(run_id);
  if (!run) {
    outcome = engine::RetryOutcome::NotFound;
    return 0;
  }
  engine::ScriptVersion recorded = recorded_version(*run, store.scripts());
  engine::ScriptVersion version = candidate_version(args, *run, recorded);
  VersionRetry retry = retry_on_version(store, *run, version, engine::SystemClock().now_ms());
  if (retry.refused) {
    std::fprintf(stderr, "weft retry: refused: run %s's history diverges on version %s\n",
                 run_id.c_str(), version.hash.substr(0, 12).c_str());
    std::cerr << render_replay(retry.check, *run, recorded, version);
    return 1;
  }
  outcome = retry.outcome;
  return 0;
}

}  // namespace

int cmd_retry(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft retry RUN_ID)");
  auto store_owner = open_existing_store(args);
  engine::RetryOutcome outcome;
  bool other_code = args.flag("latest") || args.get("script");
  if (!other_code)
    outcome = engine::redrive_run(*store_owner, run_id, engine::SystemClock().now_ms());
  else if (retry_on_other_code(args, *store_owner, run_id, outcome) != 0)
    return 1;
  switch (outcome) {
    case engine::RetryOutcome::NotFound:
      std::fprintf(stderr, "weft: no run %s\n", run_id.c_str());
      return 1;
    case engine::RetryOutcome::NotFailed:
      std::fprintf(stderr, "weft: run %s has not failed; only failed runs are retried\n",
                   run_id.c_str());
      return 1;
    case engine::RetryOutcome::ChildRun:
      std::fprintf(stderr, "weft: run %s is a child run; retry its parent\n", run_id.c_str());
      return 1;
    case engine::RetryOutcome::Retried:
      std::cout << "retrying " << run_id << " from its failed step"
                << (other_code ? " on the new version" : "")
                << " (a running weft serve or weft resume executes it)" << std::endl;
      return 0;
  }
  return 1;
}

}  // namespace weft::api
