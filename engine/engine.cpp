// The engine (see engine.hpp).
#include "engine/engine.hpp"

#include <pthread.h>

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "engine/ids.hpp"
#include "engine/leases.hpp"
#include "engine/log.hpp"
#include "engine/run_observer.hpp"

namespace weft::engine {
namespace {

constexpr int64_t kDeadLeaseCheckMs = 1000;
constexpr int kClaimBatch = 256;
constexpr int64_t kRateLimitPruneMs = 60'000;
// A limit idle this long is full again: its state is forgotten.
constexpr int64_t kRateLimitIdleMs = 86'400'000;

}  // namespace

Engine::Engine(Store& store, WorkflowCatalog& catalog, const Clock& clock, EngineOptions options)
    : store_(store),
      catalog_(catalog),
      clock_(clock),
      options_(std::move(options)),
      owner_(make_owner_id()),
      committer_(std::make_unique<GroupCommitter>(store)),
      own_limiter_(options_.limiter ? nullptr : std::make_unique<engine::RateLimiter>(&store_.limits())),
      limiter_(options_.limiter ? options_.limiter : own_limiter_.get()) {
  int count = options_.workers > 0 ? options_.workers
                                   : std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < count; ++i) {
    workers_.push_back(std::make_unique<Worker>([this](boost::asio::io_context& io, auto post) {
      ExecutorHooks hooks;
      hooks.post = post;
      hooks.finished = [this](const Run& run) {
        if (options_.on_finished) options_.on_finished(run);
        changed_.notify_all();
      };
      hooks.child_created = [this](const Run& child) {
        {
          std::lock_guard lock(mutex_);
          in_flight_.insert(child.id);
        }
        dispatch(child, true);
      };
      hooks.released = [this](const std::string& id, int64_t wake_at) { released(id, wake_at); };
      hooks.poll_by = [this](int64_t at) { wake_at(at); };
      return options_.executors(ExecutorContext{io, store_, *committer_, clock_, owner_, options_.lease_ms,
                                                options_.crash_limit, *limiter_, std::move(hooks)});
    }));
  }
  if (options_.run_schedules)
    schedules_ = std::make_unique<ScheduleRunner>(
        store_, catalog_,
        [this](const std::string& workflow, const nlohmann::json& input, const std::string& key) {
          StartOptions start;
          start.idempotency_key = key;
          return start_run(workflow, input, start).id;
        });
  break_dead_leases();
  if (options_.background) scheduler_ = std::thread([this] { scheduler_loop(); });
}

Engine::~Engine() {
  stop_scheduler();
  for (auto& worker : workers_) worker->stop();
  committer_.reset();  // flushes what was submitted; callbacks land in stopped loops
  workers_.clear();
}

void Engine::stop_scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  scheduler_wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

bool Engine::shutdown(std::chrono::milliseconds grace) {
  stop_scheduler();
  for (auto& worker : workers_) worker->release_runs();
  // Leases are no longer renewed: stay well inside the lease.
  grace = std::min(grace, std::chrono::milliseconds(options_.lease_ms / 2));
  bool drained;
  {
    std::unique_lock lock(mutex_);
    drained = changed_.wait_for(lock, grace, [&] { return in_flight_.empty(); });
  }
  if (!drained) store_.runs().break_leases(owner_);
  return drained;
}

Run Engine::new_run(const std::string& workflow, nlohmann::json input,
                    const StartOptions& options, bool leased) {
  auto script = catalog_.by_name(workflow);
  if (!script) throw std::invalid_argument("unknown workflow '" + workflow + "'");
  if (options.delay_ms < 0) throw std::invalid_argument("a start's delay cannot be negative");
  Run run;
  run.id = options.id.empty() ? new_time_ordered_uuid(clock_.now_ms()) : options.id;
  if (!options.id.empty() && store_.runs().get_run(run.id))
    throw std::invalid_argument("a run with id '" + run.id + "' already exists");
  run.workflow = workflow;
  run.script_hash = script->hash;
  run.input = std::move(input);
  run.created_at = run.updated_at = clock_.now_ms();
  run.wake_at = run.created_at + options.delay_ms;
  run.tenant = options.tenant;
  run.idempotency_key = options.idempotency_key;
  run.root_id = run.id;
  run.queue = queue_for(script->queue, run.input);
  run.priority = options.priority;
  if (script->timeout_ms) run.deadline = run.created_at + script->timeout_ms;
  // A queued or delayed run waits for the claim that admits it.
  leased = leased && run.queue.empty() && options.delay_ms == 0;
  run.status = leased ? RunStatus::Running : RunStatus::Pending;
  if (leased) {
    run.lease_owner = owner_;
    run.lease_expires = run.created_at + options_.lease_ms;
  }
  return run;
}

std::optional<Run> Engine::existing_run(const std::string& workflow, const nlohmann::json& input,
                                        const StartOptions& options) {
  if (options.idempotency_key.empty()) return std::nullopt;
  auto existing = store_.runs().find_run_by_idempotency(workflow, options.tenant, options.idempotency_key);
  if (existing && existing->input != input) throw IdempotencyConflict(*existing);
  return existing;
}

Run Engine::make_run(const std::string& workflow, nlohmann::json input,
                     const StartOptions& options, bool leased, bool& created) {
  created = false;
  if (auto existing = existing_run(workflow, input, options)) return *existing;
  Run run = new_run(workflow, input, options, leased);
  created = committer_->commit_and_wait({run.id, "", {InsertRun{run}}});
  if (created) {
    if (run.status == RunStatus::Pending) wake_at(run.wake_at);
    return run;
  }
  // Another start with the same key won the race (or the id was taken).
  if (auto existing = existing_run(workflow, input, options)) return *existing;
  throw std::invalid_argument("a run with id '" + run.id + "' already exists");
}

void Engine::start_run_async(const std::string& workflow, nlohmann::json input,
                             StartOptions options, Started done) {
  // No lookup of the idempotency key first: the insert is ignored when the
  // key is taken, and only then is the existing run looked up. A fresh
  // start (the common case) costs no read.
  Run run;
  try {
    run = new_run(workflow, std::move(input), options, true);
  } catch (...) {
    return done({}, std::current_exception());
  }
  const bool leased = run.status == RunStatus::Running;
  if (leased) {
    std::lock_guard lock(mutex_);
    in_flight_.insert(run.id);
  }
  RunWrite insert{run.id, "", {InsertRun{run}}};
  committer_->submit(
      std::move(insert),
      [this, leased, run = std::move(run), done = std::move(done), options = std::move(options)](
          bool applied, std::exception_ptr error) mutable {
        if (!error && applied) {
          if (leased) dispatch(run, true);
          else wake_at(run.wake_at);
          return done({std::move(run), false}, nullptr);
        }
        if (leased) released(run.id, 0);
        if (error) return done({run, false}, error);
        try {  // the key was taken (another start won the race), or the id
          auto existing = existing_run(run.workflow, run.input, options);
          if (!existing) throw std::invalid_argument("a run with id '" + run.id + "' already exists");
          done({*existing, true}, nullptr);
        } catch (...) {
          done({run, false}, std::current_exception());
        }
      });
}

Run Engine::start_run(const std::string& workflow, nlohmann::json input, StartOptions options) {
  return start_or_replay(workflow, std::move(input), std::move(options)).run;
}

StartResult Engine::start_or_replay(const std::string& workflow, nlohmann::json input,
                                    StartOptions options) {
  bool created = false;
  Run run = make_run(workflow, std::move(input), options, true, created);
  if (!created) return {std::move(run), true};
  if (run.status != RunStatus::Running) return {std::move(run), false};
  {
    std::lock_guard lock(mutex_);
    in_flight_.insert(run.id);
  }
  dispatch(run, true);
  return {std::move(run), false};
}

Run Engine::enqueue_run(const std::string& workflow, nlohmann::json input, StartOptions options) {
  bool created = false;
  return make_run(workflow, std::move(input), options, false, created);
}

void Engine::dispatch(Run run, bool fresh) {
  size_t index = std::hash<std::string>{}(run.id) % workers_.size();
  workers_[index]->start_run(std::move(run), fresh);
}

void Engine::released(const std::string& run_id, int64_t wake_at) {
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(run_id);
  }
  changed_.notify_all();
  if (wake_at) this->wake_at(wake_at);
}

void Engine::wake_at(int64_t at) {
  bool earlier;
  {
    std::lock_guard lock(mutex_);
    earlier = next_wake_ == 0 || at < next_wake_;
    if (earlier) next_wake_ = at;
  }
  if (earlier) scheduler_wake_.notify_one();
}

DeliverOutcome Engine::deliver_event(const std::string& run_id, const std::string& name,
                                     const nlohmann::json& payload) {
  DeliverOutcome outcome = store_.runs().deliver_event(run_id, name, payload, clock_.now_ms());
  wake_now();
  return outcome;
}

CancelOutcome Engine::cancel(const std::string& run_id) {
  CancelOutcome outcome = store_.runs().request_cancel(run_id, clock_.now_ms());
  if (outcome == CancelOutcome::Requested)
    for (auto& worker : workers_) worker->cancel(run_id);
  changed_.notify_all();
  return outcome;
}

RetryOutcome Engine::retry(const std::string& run_id) {
  RetryOutcome outcome = redrive_run(store_, run_id, clock_.now_ms());
  if (outcome == RetryOutcome::Retried) wake_now();
  return outcome;
}

void Engine::wake_now() { wake_at(clock_.now_ms()); }

void Engine::tick_schedules() {
  if (schedules_) schedules_->tick(clock_.now_ms());
}

void Engine::break_dead_leases() {
  for (const auto& owner : store_.runs().lease_owners())
    if (owner != owner_ && owner_is_dead(owner)) store_.runs().break_leases(owner);
}

size_t Engine::poll() {
  size_t claimed = 0;
  std::vector<QueueSpec> queues = catalog_.queues();
  std::vector<std::string> names;
  for (const auto& queue : queues) names.push_back(queue.name);
  if (!queue_names_ || names != *queue_names_) {  // the first poll, or a reload changed them
    store_.runs().release_undeclared_queues(queues);
    queue_names_ = std::move(names);
  }
  for (;;) {
    ClaimRequest request{owner_, clock_.now_ms(), options_.lease_ms, kClaimBatch, options_.root_id, queues};
    std::vector<Run> runs = store_.runs().claim_due(request);
    claimed += runs.size();
    {
      std::lock_guard lock(mutex_);
      for (const auto& run : runs) in_flight_.insert(run.id);
    }
    for (auto& run : runs) {
      if (!run.queue.empty()) observe_admitted(run, request.now);
      dispatch(std::move(run), false);
    }
    if (runs.size() < static_cast<size_t>(kClaimBatch)) return claimed;
  }
}

void Engine::renew_leases() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    ids.assign(in_flight_.begin(), in_flight_.end());
  }
  if (ids.empty()) return;
  for (const auto& id : store_.runs().renew_leases(owner_, ids, clock_.now_ms() + options_.lease_ms))
    for (auto& worker : workers_) worker->cancel(id);
}

void Engine::scheduler_loop() {
  pthread_setname_np(pthread_self(), "weft-scheduler");
  int64_t last_dead_check = clock_.now_ms();
  int64_t last_renewal = clock_.now_ms();
  int64_t last_limits_prune = clock_.now_ms();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    int64_t now = clock_.now_ms();
    try {
      if (now - last_dead_check >= kDeadLeaseCheckMs) {
        break_dead_leases();
        last_dead_check = now;
      }
      if (now - last_renewal >= options_.lease_ms / 3) {
        renew_leases();
        last_renewal = now;
      }
      if (now - last_limits_prune >= kRateLimitPruneMs) {
        store_.limits().prune_limits(now - kRateLimitIdleMs);
        last_limits_prune = now;
      }
      tick_schedules();
      poll();
    } catch (const std::exception& e) {
      log::error("scheduler pass failed", {{"error", e.what()}});
    }
    lock.lock();
    if (next_wake_ && next_wake_ <= clock_.now_ms()) {  // a park or delivery made a run due
      next_wake_ = 0;
      continue;
    }
    int64_t wait = options_.poll_ms;
    if (next_wake_) wait = std::min(wait, next_wake_ - clock_.now_ms());
    scheduler_wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait, 1)));
  }
}

std::vector<std::string> Engine::runs_in_flight() {
  std::lock_guard lock(mutex_);
  return {in_flight_.begin(), in_flight_.end()};
}

void Engine::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return in_flight_.empty(); });
}

std::optional<Run> Engine::wait_finished(const std::string& run_id,
                                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto run = store_.runs().get_run(run_id);
    if (!run || is_finished(run->status) || std::chrono::steady_clock::now() >= deadline)
      return run;
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms));
  }
}

bool Engine::has_runnable_work() {
  {
    std::lock_guard lock(mutex_);
    if (!in_flight_.empty()) return true;
  }
  RunFilter filter;
  filter.unfinished_only = true;
  filter.root_id = options_.root_id;
  filter.limit = 1'000'000;
  for (const auto& run : store_.runs().list_runs(filter))
    if (!(run.status == RunStatus::Waiting && run.wake_at == 0)) return true;
  return false;
}

}  // namespace weft::engine
