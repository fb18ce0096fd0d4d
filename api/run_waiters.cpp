// Run waiters (see run_waiters.hpp).
#include "api/run_waiters.hpp"

#include <vector>

namespace weft::api {

uint64_t RunWaiters::wait(const std::string& run_id, Callback callback) {
  std::lock_guard lock(mutex_);
  uint64_t ticket = next_ticket_++;
  waiting_.emplace(run_id, std::make_pair(ticket, std::move(callback)));
  return ticket;
}

void RunWaiters::forget(const std::string& run_id, uint64_t ticket) {
  std::lock_guard lock(mutex_);
  auto [begin, end] = waiting_.equal_range(run_id);
  for (auto it = begin; it != end; ++it) {
    if (it->second.first == ticket) {
      waiting_.erase(it);
      return;
    }
  }
}

void RunWaiters::finished(const engine::Run& run) {
  std::vector<Callback> callbacks;
  {
    std::lock_guard lock(mutex_);
    auto [begin, end] = waiting_.equal_range(run.id);
    for (auto it = begin; it != end; ++it) callbacks.push_back(std::move(it->second.second));
    waiting_.erase(begin, end);
  }
  for (auto& callback : callbacks) callback(run);
}

}  // namespace weft::api
