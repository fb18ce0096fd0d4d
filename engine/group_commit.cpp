// The group committer (see group_commit.hpp).
#include "engine/group_commit.hpp"

#include <pthread.h>

#include <chrono>
#include <future>

#include "engine/fault_injection.hpp"
#include "engine/metrics.hpp"

namespace weft::engine {
namespace {

// Batches up to this size are told by the writer itself when the notifier
// is idle (see loop()).
constexpr size_t kToldByWriter = 16;

const MetricFamily kCommitBatchSize{"weft_storage_commit_batch_size",
                                    "Run writes carried by one storage transaction",
                                    MetricKind::Histogram,
                                    {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}};
const MetricFamily kCommitSeconds{"weft_storage_commit_seconds",
                                  "Time of one storage transaction, fsync included",
                                  MetricKind::Histogram, duration_buckets()};
const MetricFamily kRunsStarted{"weft_runs_started_total",
                                "Runs created durably (API, webhooks, schedules, children)",
                                MetricKind::Counter};

void record_batch(const std::vector<RunWrite>& writes, const std::vector<bool>& applied,
                  double seconds) {
  auto& metrics = MetricsRegistry::process();
  metrics.observe(kCommitBatchSize, {}, static_cast<double>(writes.size()));
  metrics.observe(kCommitSeconds, {}, seconds);
  for (size_t i = 0; i < writes.size() && i < applied.size(); ++i) {
    if (!applied[i]) continue;
    for (const auto& mutation : writes[i].mutations)
      if (const auto* insert = std::get_if<InsertRun>(&mutation))
        metrics.add(kRunsStarted, {{"workflow", insert->run.workflow}});
      else if (const auto* start = std::get_if<StartRun>(&mutation))
        metrics.add(kRunsStarted, {{"workflow", start->run.workflow}});
  }
}

}  // namespace

GroupCommitter::GroupCommitter(Store& store)
    : store_(store), notifier_([this] { notify_loop(); }), thread_([this] { loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();  // everything submitted is written
  {
    std::lock_guard lock(outcomes_mutex_);
    writer_done_ = true;
  }
  outcomes_ready_.notify_one();
  notifier_.join();  // and every submitter told
}

void GroupCommitter::submit(RunWrite write, Done done) {
  bool was_empty;
  {
    std::lock_guard lock(mutex_);
    was_empty = queue_.empty();
    queue_.push_back({std::move(write), std::move(done)});
  }
  if (was_empty) wake_.notify_one();  // the writer sleeps only on an empty queue
}

bool GroupCommitter::commit_and_wait(RunWrite write) {
  std::promise<bool> promise;
  auto future = promise.get_future();
  submit(std::move(write), [&promise](bool applied, std::exception_ptr error) {
    if (error)
      promise.set_exception(error);
    else
      promise.set_value(applied);
  });
  return future.get();
}

GroupCommitter::Stats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitter::loop() {
  pthread_setname_np(pthread_self(), "weft-commit");
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted is written
      batch.swap(queue_);
    }
    std::vector<RunWrite> writes;
    writes.reserve(batch.size());
    for (auto& pending : batch) writes.push_back(std::move(pending.write));
    std::vector<bool> applied;
    std::exception_ptr error;
    auto began = std::chrono::steady_clock::now();
    try {
      fault_point("before-commit");
      applied = store_.runs().commit(writes);
      fault_point("after-commit");
    } catch (...) {
      error = std::current_exception();
    }
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - began)
                      .count();
    {
      std::lock_guard lock(mutex_);
      stats_.batches += 1;
      stats_.writes += batch.size();
      stats_.commit_micros += static_cast<uint64_t>(micros);
    }
    Outcome outcome{std::move(writes), {}, std::move(applied), error, static_cast<double>(micros) / 1e6};
    outcome.done.reserve(batch.size());
    for (auto& pending : batch) outcome.done.push_back(std::move(pending.done));
    bool tell_here;
    {
      std::lock_guard lock(outcomes_mutex_);
      // A small batch while the notifier is idle is told right here: under
      // light load that saves a thread hand-off per commit (and its
      // latency). Order holds: nothing committed earlier is still untold.
      tell_here = batch.size() <= kToldByWriter && outcomes_.empty() && !notifying_;
      if (!tell_here) outcomes_.push_back(std::move(outcome));
    }
    if (tell_here)
      tell(outcome);
    else
      outcomes_ready_.notify_one();
  }
}

void GroupCommitter::tell(Outcome& outcome) {
  if (!outcome.error) record_batch(outcome.writes, outcome.applied, outcome.seconds);
  for (size_t i = 0; i < outcome.done.size(); ++i)
    outcome.done[i](!outcome.error && outcome.applied[i], outcome.error);
}

void GroupCommitter::notify_loop() {
  pthread_setname_np(pthread_self(), "weft-commit-cb");
  for (;;) {
    std::vector<Outcome> outcomes;
    {
      std::unique_lock lock(outcomes_mutex_);
      notifying_ = false;
      outcomes_ready_.wait(lock, [&] { return writer_done_ || !outcomes_.empty(); });
      if (outcomes_.empty()) return;  // the writer has stopped and all are told
      outcomes.swap(outcomes_);
      notifying_ = true;
    }
    for (auto& outcome : outcomes) tell(outcome);
  }
}

}  // namespace weft::engine
