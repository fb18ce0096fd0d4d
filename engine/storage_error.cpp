// The storage's health as last seen (see storage_error.hpp).
#include "engine/storage_error.hpp"

#include <atomic>
#include <chrono>
#include <mutex>

namespace weft::engine {
namespace {

std::atomic<bool> unavailable{false};
std::mutex mutex;
StorageHealth health;          // under mutex
int64_t last_failure_ms = 0;  // under mutex

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StorageHealth storage_health() {
  if (!unavailable.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(mutex);
  if (now_ms() - last_failure_ms > kStorageFailureMemoryMs) return {};
  return health;
}

void storage_failed(const std::string& message) {
  std::lock_guard lock(mutex);
  int64_t now = now_ms();
  bool new_episode = health.available || now - last_failure_ms > kStorageFailureMemoryMs;
  if (new_episode) health.since_ms = now;
  last_failure_ms = now;
  health.available = false;
  health.error = message;
  unavailable.store(true, std::memory_order_release);
}

void storage_recovered() {
  if (!unavailable.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mutex);
  health = {};
  unavailable.store(false, std::memory_order_release);
}

}  // namespace weft::engine
