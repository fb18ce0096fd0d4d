// The group committer (see group_commit.hpp).
#include "engine/group_commit.hpp"

#include <pthread.h>

#include <chrono>
#include <future>

#include "engine/fault_injection.hpp"

namespace weft::engine {

GroupCommitter::GroupCommitter(Store& store) : store_(store), thread_([this] { loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
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
      applied = store_.commit(writes);
      fault_point("after-commit");
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      stats_.batches += 1;
      stats_.writes += batch.size();
      stats_.commit_micros += static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                began)
              .count());
    }
    for (size_t i = 0; i < batch.size(); ++i)
      batch[i].done(!error && applied[i], error);
  }
}

}  // namespace weft::engine
