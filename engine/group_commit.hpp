// The single writer. Runs submit their writes here; one thread takes all
// writes queued so far and commits them in one transaction, then tells
// each submitter. With many runs in flight, one fsync covers many steps,
// so throughput is bound by CPU rather than by the disk.
//
// Under load, submitters are told on a second thread, in submission order,
// while the writer already commits the next batch: the callbacks
// (dispatching runs, answering HTTP requests) were a fifth of the writer's
// time, and every write queued behind them waited for it. A small batch
// while that thread is idle is told by the writer at once.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/store.hpp"

namespace weft::engine {

class GroupCommitter {
 public:
  // Called on the committer's writer or notifier thread once the write is
  // durable (or failed), in submission order.
  using Done = std::function<void(bool applied, std::exception_ptr error)>;

  explicit GroupCommitter(Store& store);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void submit(RunWrite write, Done done);
  // Submits and waits; rethrows a storage error; returns whether applied.
  bool commit_and_wait(RunWrite write);

  struct Stats {
    uint64_t batches = 0;
    uint64_t writes = 0;
    uint64_t commit_micros = 0;  // time spent inside store commits
  };
  Stats stats() const;

 private:
  struct Pending {
    RunWrite write;
    Done done;
  };
  // A committed batch whose submitters are still to be told. It carries
  // the writes too: recording their metrics and freeing them is done by
  // whoever tells, off the writer's path under load.
  struct Outcome {
    std::vector<RunWrite> writes;
    std::vector<Done> done;
    std::vector<bool> applied;
    std::exception_ptr error;
    double seconds = 0;  // the commit's duration
  };
  void loop();
  void notify_loop();
  static void tell(Outcome& outcome);

  Store& store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  Stats stats_;

  std::mutex outcomes_mutex_;
  std::condition_variable outcomes_ready_;
  std::vector<Outcome> outcomes_;
  bool writer_done_ = false;  // no more outcomes will come
  bool notifying_ = false;    // the notifier is telling a batch

  std::thread notifier_;
  std::thread thread_;
};

}  // namespace weft::engine
