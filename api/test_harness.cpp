// weft test's engine on a virtual clock (see test_harness.hpp).
#include "api/test_harness.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <stdexcept>

#include "api/cli_bundle.hpp"
#include "api/http_target.hpp"
#include "engine/schedules.hpp"
#include "engine/store_open.hpp"
#include "stdlib/run_services.hpp"
#include "stdlib/secret_records.hpp"

namespace weft::api {
namespace {

bool waits_for_event(engine::Store& store, const engine::Run& run) {
  if (run.status != engine::RunStatus::Waiting) return false;
  for (const auto& event : store.runs().history(run.id))
    if (event.kind == engine::EventKind::WaitEvent && event.status == engine::EventStatus::Pending) return true;
  return false;
}

}  // namespace

TestHarness::TestHarness(const std::string& workflows_dir) : dir_("weft-test-") {
  keys_ = std::make_unique<stdlib::SecretKeys>((dir_.path() / "weft.key").string());
  store_ = engine::open_scratch_store(dir_.path().string());
  catalog_ = std::make_unique<dsl::LuaWorkflowCatalog>(store_->scripts(), workflows_dir);
  auto problems = catalog_->add_folder();
  if (!problems.empty()) {
    std::string message = "the workflows of " + workflows_dir + " do not load:";
    for (const auto& problem : problems) message += "\n  " + problem;
    throw std::runtime_error(message);
  }
  engine::EngineOptions options;
  options.workers = 1;
  options.background = false;
  options.run_schedules = true;  // ticked only by advance(), once enabled
  options.executors = stdlib::lua_executors(
      *catalog_, keys_.get(), [this](boost::asio::io_context& io, dsl::RunServices& lent) {
        auto transport = http_.transport(io);
        lent.services.put<stdlib::HttpTransport>(transport.get());
        lent.owned.push_back(transport);
        auto outbox = email_.transport(io);
        lent.services.put<stdlib::EmailTransport>(outbox.get());
        lent.owned.push_back(outbox);
        lent.services.put(&steps_);
      });
  engine_ = std::make_unique<engine::Engine>(*store_, *catalog_, clock_, options);
}

// Members go in reverse order: the ingress, then the engine, before the
// catalog, store and mocks they use.
TestHarness::~TestHarness() = default;

void TestHarness::settle() {
  for (int round = 0; round < kMaxWakeups; ++round) {
    engine_->wait_idle();
    if (engine_->poll() == 0) return;  // nothing due (or its queue is full)
  }
  throw std::runtime_error("runs kept becoming due without time passing");
}

engine::Run TestHarness::start(const std::string& workflow, const nlohmann::json& input,
                               const engine::StartOptions& options) {
  engine::Run run = engine_->start_run(workflow, input, options);
  settle();
  return this->run(run.id);
}

int64_t TestHarness::next_timer(bool blocked_too) {
  engine::RunFilter filter;
  filter.unfinished_only = true;
  filter.limit = 100'000;
  int64_t next = 0;
  for (const auto& run : store_->runs().list_runs(filter)) {
    // Due already and not running: its queue has no slot until a run moves.
    if (run.wake_at <= clock_.now_ms() || (!blocked_too && waits_for_event(*store_, run))) continue;
    next = next == 0 ? run.wake_at : std::min(next, run.wake_at);
  }
  return next;
}

void TestHarness::enable_schedules() {
  schedules_ = true;
  engine_->tick_schedules();  // the schedules' first tick: where they start counting from
  settle();
}

void TestHarness::advance(int64_t ms) {
  if (ms < 0) throw std::invalid_argument("time only moves forward");
  const int64_t target = clock_.now_ms() + ms;
  for (int wakeup = 0;; ++wakeup) {
    if (wakeup == kMaxWakeups)
      throw std::runtime_error("runs kept waking (" + std::to_string(kMaxWakeups) + " timers) before the time was reached");
    int64_t next = next_timer(true);
    if (schedules_)
      for (const auto& fire : engine::upcoming_fires(*catalog_, clock_.now_ms()))
        if (fire.next_fire) next = next == 0 ? *fire.next_fire * 1000 : std::min(next, *fire.next_fire * 1000);
    if (next == 0 || next > target) break;
    clock_.advance_ms(std::max<int64_t>(next - clock_.now_ms(), 0));
    if (schedules_) engine_->tick_schedules();
    settle();
  }
  clock_.advance_ms(target - clock_.now_ms());
  if (schedules_) engine_->tick_schedules();
  settle();
}

engine::Run TestHarness::wait(const std::string& run_id) {
  settle();
  for (int wakeup = 0; wakeup < kMaxWakeups; ++wakeup) {
    engine::Run current = run(run_id);
    if (engine::is_finished(current.status)) return current;
    int64_t next = next_timer(false);
    if (next == 0) return current;
    clock_.advance_ms(std::max<int64_t>(next - clock_.now_ms(), 0));
    settle();
  }
  throw std::runtime_error("run " + run_id + " still going after " + std::to_string(kMaxWakeups) +
                           " timers (a loop of sleeps or retries?)");
}

engine::DeliverOutcome TestHarness::send(const std::string& run_id, const std::string& name,
                                         const nlohmann::json& payload) {
  auto outcome = engine_->deliver_event(run_id, name, payload);
  settle();
  return outcome;
}

engine::CancelOutcome TestHarness::cancel(const std::string& run_id) {
  auto outcome = engine_->cancel(run_id);
  settle();
  return outcome;
}

engine::ScriptVersion TestHarness::current_version(const std::string& workflow) {
  auto info = catalog_->by_name(workflow);
  if (!info) throw std::runtime_error("no workflow '" + workflow + "' in " + catalog_->workflows_dir());
  return catalog_->version(info->hash);
}

VersionRetry TestHarness::retry(const std::string& run_id) {
  engine::Run failed = run(run_id);
  VersionRetry retry = retry_on_version(*store_, failed, current_version(failed.workflow), now());
  engine_->wake_now();
  settle();
  return retry;
}

ForkResult TestHarness::fork(const std::string& run_id, const ForkRequest& request) {
  engine::Run original = run(run_id);
  ForkResult result = fork_run(*store_, original, current_version(original.workflow), request, now());
  engine_->wake_now();
  settle();
  return result;
}

dsl::ReplayReport TestHarness::replay(const std::string& run_id) {
  engine::Run recorded = run(run_id);
  dsl::Replayer replayer;
  return replayer.replay(recorded, store_->runs().history(run_id), current_version(recorded.workflow));
}

engine::Run TestHarness::import(const std::string& bundle_path) {
  engine::RunBundle bundle = read_bundle(bundle_path);
  return engine::import_bundle(*store_, bundle, now());
}

TestHarness::WebhookAnswer TestHarness::deliver_webhook(const std::string& path,
                                                        const std::map<std::string, std::string>& headers,
                                                        const std::string& body) {
  std::string why;
  auto target = parse_target(path, &why);
  if (!target) throw std::invalid_argument("webhook path " + path + ": " + why);
  if (!webhooks_) webhooks_ = std::make_unique<WebhookIngress>(*store_, *catalog_, *engine_, keys_.get());
  ApiRequest request{"POST", path, headers, body, "127.0.0.1"};
  HttpResponse response = webhooks_->deliver(request, *target);
  if (response.deferred) {  // answered once the run's start is durable
    auto answered = std::make_shared<std::promise<HttpResponse>>();
    std::future<HttpResponse> answer = answered->get_future();
    response.deferred([answered](HttpResponse reply) { answered->set_value(std::move(reply)); });
    if (answer.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
      throw std::runtime_error("the webhook delivery got no answer in 30 s");
    response = answer.get();
  }
  webhooks_->flush_audit();
  settle();
  return {response.status, response.body};
}

void TestHarness::set_secret(const std::string& tenant, engine::SecretInfo info, const std::string& value) {
  info.updated_at = now();
  stdlib::put_secret_value(store_->secrets(), *keys_, tenant, info, value);
}

engine::Run TestHarness::run(const std::string& run_id) {
  auto found = store_->runs().get_run(run_id);
  if (!found) throw std::runtime_error("no run " + run_id);
  return *found;
}

}  // namespace weft::api
