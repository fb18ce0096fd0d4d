// The last resort of `weft serve`'s graceful stop: once armed at SIGTERM,
// it ends the process with exit code 3 when the grace period is over and
// the stop has not finished, logging what it was still waiting for (a
// worker or HTTP thread stuck where no budget reaches must not keep the
// process alive past its grace period).
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace weft::api {

constexpr int kExitStopTimedOut = 3;

class ShutdownWatchdog {
 public:
  ShutdownWatchdog() = default;
  ~ShutdownWatchdog();  // the stop finished: disarms
  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

  // Starts counting `grace` from now.
  void arm(std::chrono::milliseconds grace);
  // What the stop waits for from now on, named in the log line if the
  // grace period ends first ("the requests in hand", ...).
  void waiting_for(std::string what);

 private:
  void watch(std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds grace);

  std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
  std::string waiting_for_ = "the stop to begin";
  std::thread thread_;
};

}  // namespace weft::api
