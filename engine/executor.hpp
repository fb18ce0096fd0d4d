// What the engine asks of whatever executes runs on a worker thread: start
// (or resume by replay) a run, cancel one, hand runs back at shutdown. The
// engine knows nothing of Lua; the layer above supplies an ExecutorFactory
// (EngineOptions::executors) that makes one executor per worker.
#pragma once
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/clock.hpp"
#include "engine/group_commit.hpp"
#include "engine/rate_limiter.hpp"
#include "engine/run.hpp"
#include "engine/store.hpp"

namespace weft::engine {

struct ExecutorHooks {
  std::function<void(std::function<void()>)> post;  // run on this worker's thread
  std::function<void(const Run&)> finished;         // a run ended (durably)
  std::function<void(const Run&)> child_created;    // a child run to dispatch
  std::function<void(const std::string& id, int64_t wake_at)> released;  // left this worker
  // Something this worker committed may make a run due at `at` (a run it
  // started for a later claim, a queue slot it gave back): poll by then.
  std::function<void(int64_t at)> poll_by;
};

// What the engine lends each executor; all of it outlives the executor.
struct ExecutorContext {
  boost::asio::io_context& io;  // the worker's loop
  Store& store;
  GroupCommitter& committer;
  const Clock& clock;
  std::string lease_owner;
  int64_t lease_ms = 30'000;
  int64_t crash_limit = 3;  // see EngineOptions::crash_limit
  RateLimiter& limiter;
  ExecutorHooks hooks;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Starts (or resumes by replay) a run leased to this process. `fresh`:
  // just created, so there is no history to read.
  virtual void start(Run run, bool fresh) = 0;
  virtual void cancel(const std::string& run_id) = 0;
  // Shutdown: from now on each run is handed back to the store (due at
  // once, lease released) at its next durable point instead of going on,
  // so another process, or this one restarted, continues it by replay.
  virtual void release_runs() = 0;
};

// Called on the worker's thread.
using ExecutorFactory = std::function<std::unique_ptr<Executor>(ExecutorContext context)>;

}  // namespace weft::engine
