// One test of weft test: an engine of its own on a fresh database in a
// temporary folder, with a virtual clock that only the test moves, the
// workflows of the test file's folder, and HTTP, email and steps mocked.
// Nothing reaches the network; sleeps, retry backoffs, timeouts, cron fires and
// rate-limit waits take no real time.
//
// The engine runs on one worker thread; every method here runs it until
// nothing is due at the current virtual time before returning, so the
// test reads a settled state.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/email_outbox.hpp"
#include "api/http_mocks.hpp"
#include "api/webhook_ingress.hpp"
#include "api/version_actions.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "dsl/step_mocks.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/temp_dir.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::api {

class TestHarness {
 public:
  // Loads every workflow of `workflows_dir`; throws std::runtime_error
  // listing the files that do not load.
  explicit TestHarness(const std::string& workflows_dir);
  ~TestHarness();
  TestHarness(const TestHarness&) = delete;
  TestHarness& operator=(const TestHarness&) = delete;

  // Starts a run and runs it until it ends or parks (no time passes).
  engine::Run start(const std::string& workflow, const nlohmann::json& input,
                    const engine::StartOptions& options);
  // Moves the clock forward by `ms`, firing every timer (and, once
  // enabled, every cron fire) at its own time along the way.
  void advance(int64_t ms);
  // Skips time from timer to timer until the run has ended or every
  // unfinished run waits for what only the test gives (an event, or a
  // run that waits so). Throws std::runtime_error when runs keep waking
  // after kMaxWakeups timers (a workflow that loops on a sleep).
  engine::Run wait(const std::string& run_id);
  static constexpr int kMaxWakeups = 10'000;
  // From now on advance() fires cron schedules, as a server started now
  // would: fires before this instant are not caught up.
  void enable_schedules();

  engine::DeliverOutcome send(const std::string& run_id, const std::string& name,
                              const nlohmann::json& payload);
  engine::CancelOutcome cancel(const std::string& run_id);
  // Redrives a failed run on its workflow's version in the folder now,
  // after a replay check (refused when it diverges).
  VersionRetry retry(const std::string& run_id);
  // Forks a run from `position` onto its workflow's version in the folder.
  ForkResult fork(const std::string& run_id, const ForkRequest& request);
  // Replays a run on its workflow's version in the folder (no side effects).
  dsl::ReplayReport replay(const std::string& run_id);
  // Loads a repro bundle (weft export) as a run that nothing executes.
  engine::Run import(const std::string& bundle_path);
  // POSTs a delivery to a webhook path through the ingress weft serve
  // uses (signature check, dedup, limit, event mapping), then runs the
  // engine; the answer weft serve would send. Header names lower-case.
  struct WebhookAnswer {
    int status = 0;
    nlohmann::json body;
  };
  WebhookAnswer deliver_webhook(const std::string& path, const std::map<std::string, std::string>& headers,
                                const std::string& body);

  // A secret of `tenant`'s namespace ("" the shared one), updated now.
  void set_secret(const std::string& tenant, engine::SecretInfo info, const std::string& value);

  engine::Run run(const std::string& run_id);
  int64_t now() const { return clock_.now_ms(); }
  engine::Store& store() { return *store_; }
  HttpMocks& http() { return http_; }
  EmailOutbox& email() { return email_; }
  dsl::StepMocks& steps() { return steps_; }

 private:
  // Runs what is due now until nothing is.
  void settle();
  // The earliest time a timer moves an unfinished run; with `blocked_too`,
  // runs waiting for an event with a timeout count as well. 0: none.
  int64_t next_timer(bool blocked_too);
  engine::ScriptVersion current_version(const std::string& workflow);

  engine::TempDir dir_;
  engine::ManualClock clock_;
  HttpMocks http_;
  EmailOutbox email_;
  dsl::StepMocks steps_;
  std::unique_ptr<stdlib::SecretKeys> keys_;
  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<dsl::LuaWorkflowCatalog> catalog_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<WebhookIngress> webhooks_;  // made on first use; goes before the engine
  bool schedules_ = false;
};

}  // namespace weft::api
