#include "engine/queue_spec.hpp"

#include <cctype>
#include <stdexcept>

namespace weft::engine {

void validate_queue(const QueueSpec& spec) {
  if (spec.name.empty() || spec.name.size() > 64)
    throw std::invalid_argument("queue name must be 1-64 characters");
  for (char c : spec.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      throw std::invalid_argument("queue name '" + spec.name + "' may hold only letters, digits, '.', '_' and '-'");
  if (spec.concurrency < 1 || spec.concurrency > 100'000)
    throw std::invalid_argument("queue '" + spec.name + "': concurrency must be 1-100000");
}

nlohmann::json to_json(const QueueSpec& spec) {
  return {{"type", "queue"},
          {"name", spec.name},
          {"concurrency", spec.concurrency},
          {"count_parked", spec.count_parked}};
}

nlohmann::json queue_status_json(const QueueSpec& spec, const QueueStats& stats, int64_t now) {
  nlohmann::json by_priority = nlohmann::json::object();
  for (auto it = stats.waiting_by_priority.rbegin(); it != stats.waiting_by_priority.rend(); ++it)
    by_priority[std::to_string(it->first)] = it->second;
  int64_t oldest = stats.oldest_waiting_since ? now - stats.oldest_waiting_since : 0;
  return {{"name", spec.name},
          {"workflow", spec.workflow},
          {"concurrency", spec.concurrency},
          {"count_parked", spec.count_parked},
          {"active", stats.active},
          {"waiting", stats.waiting},
          {"waiting_by_priority", std::move(by_priority)},
          {"delayed", stats.delayed},
          {"oldest_waiting_ms", oldest > 0 ? oldest : 0}};
}

}  // namespace weft::engine
