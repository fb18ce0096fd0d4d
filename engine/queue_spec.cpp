#include "engine/queue_spec.hpp"

#include "engine/content_hash.hpp"
#include "engine/json_limits.hpp"

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

std::string queue_for(const QueueSpec& spec, const nlohmann::json& input) {
  if (spec.key_path.empty()) return spec.name;
  const nlohmann::json* value = &input;
  for (size_t from = 0; value && from <= spec.key_path.size();) {
    size_t dot = spec.key_path.find('.', from);
    std::string field = spec.key_path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    value = value->is_object() && value->contains(field) ? &(*value)[field] : nullptr;
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  std::string key = !value || value->is_null() ? "" : value->is_string() ? value->get<std::string>() : dump_json(*value);
  constexpr size_t kMaxKeyBytes = 100;
  return spec.name + (key.size() > kMaxKeyBytes ? sha256_hex(key) : key);
}

std::pair<std::string, std::string> queue_range(const QueueSpec& spec) {
  if (spec.key_path.empty()) return {spec.name, spec.name + '\x01'};  // names hold no control byte
  std::string last = spec.name;
  last.back() = static_cast<char>(last.back() + 1);  // "wf#" -> "wf$": every name that starts with "wf#"
  return {spec.name, last};
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
          {"oldest_waiting_ms", oldest > 0 ? oldest : 0},
          {"key", spec.key_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(spec.key_path)}};
}

}  // namespace weft::engine
