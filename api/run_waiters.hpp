// Requests waiting for runs to end (POST .../runs?wait=): the engine
// reports each run it ends (EngineOptions.on_finished) and the waiters of
// that run are called at once, so a wait answers as soon as the run is
// durable instead of at the next poll.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "engine/run.hpp"

namespace weft::api {

class RunWaiters {
 public:
  using Callback = std::function<void(const engine::Run&)>;

  // Calls `callback` (on the thread that ends the run) when `run_id` ends
  // in this process; returns a ticket for forget().
  uint64_t wait(const std::string& run_id, Callback callback);
  void forget(const std::string& run_id, uint64_t ticket);
  void finished(const engine::Run& run);

 private:
  std::mutex mutex_;
  uint64_t next_ticket_ = 1;
  std::multimap<std::string, std::pair<uint64_t, Callback>> waiting_;
};

}  // namespace weft::api
