// weft event, weft cancel and weft retry: acting on runs through the
// store, so they work whichever process executes the run.
#include <cstdio>
#include <iostream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "engine/clock.hpp"
#include "engine/json_limits.hpp"
#include "engine/redrive.hpp"
#include "engine/utf8.hpp"

namespace weft::api {

int cmd_event(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft event RUN_ID NAME)");
  std::string name = args.positional(1, "event name (weft event RUN_ID NAME)");
  nlohmann::json payload = nullptr;
  if (auto data = args.get("data")) {
    std::string text = read_json_argument("data", *data);
    try {
      payload = engine::parse_json(text);
    } catch (const engine::JsonTextError& e) {
      if (e.code == engine::JsonTextError::Code::TooDeep) throw UsageError(std::string("--data: ") + e.what());
      throw UsageError("--data is not valid JSON: " + engine::sanitize_utf8(text.substr(0, 200)));
    }
  }
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

int cmd_retry(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft retry RUN_ID)");
  auto store_owner = open_existing_store(args);
  switch (engine::redrive_run(*store_owner, run_id, engine::SystemClock().now_ms())) {
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
      std::cout << "retrying " << run_id
                << " from its failed step (a running weft serve or weft resume executes it)"
                << std::endl;
      return 0;
  }
  return 1;
}

}  // namespace weft::api
