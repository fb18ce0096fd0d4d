// The shutdown watchdog (see shutdown_watchdog.hpp).
#include "api/shutdown_watchdog.hpp"

#include <cstdlib>

#include "engine/log.hpp"

namespace weft::api {

ShutdownWatchdog::~ShutdownWatchdog() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  finished_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ShutdownWatchdog::arm(std::chrono::milliseconds grace) {
  if (thread_.joinable()) return;
  auto deadline = std::chrono::steady_clock::now() + grace;
  thread_ = std::thread([this, deadline, grace] { watch(deadline, grace); });
}

void ShutdownWatchdog::waiting_for(std::string what) {
  std::lock_guard lock(mutex_);
  waiting_for_ = std::move(what);
}

void ShutdownWatchdog::watch(std::chrono::steady_clock::time_point deadline,
                             std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  if (finished_.wait_until(lock, deadline, [&] { return done_; })) return;
  log::error("the grace period is over and the stop has not finished: exiting",
             {{"grace_ms", grace.count()}, {"waiting_for", waiting_for_},
              {"exit_code", kExitStopTimedOut}});
  // No destructor may run: they are what did not finish.
  std::_Exit(kExitStopTimedOut);
}

}  // namespace weft::api
