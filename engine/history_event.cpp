// Names of event kinds and statuses, and the JSON form of an event (the
// one `weft history --json` and the API print).
#include "engine/history_event.hpp"

#include <array>
#include <utility>

namespace weft::engine {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, 10> kKinds{{
    {EventKind::Step, "step"},
    {EventKind::Compensation, "compensation"},
    {EventKind::Sleep, "sleep"},
    {EventKind::WaitEvent, "wait_event"},
    {EventKind::Child, "child"},
    {EventKind::Start, "start"},
    {EventKind::Now, "now"},
    {EventKind::Uuid, "uuid"},
    {EventKind::Random, "random"},
    {EventKind::Acquire, "acquire"},
}};

constexpr std::array<std::pair<EventStatus, std::string_view>, 6> kStatuses{{
    {EventStatus::Pending, "pending"},
    {EventStatus::Completed, "completed"},
    {EventStatus::Retrying, "retrying"},
    {EventStatus::Failed, "failed"},
    {EventStatus::TimedOut, "timed_out"},
    {EventStatus::Redriven, "redriven"},
}};

template <class Table, class Value>
std::string_view name_of(const Table& table, Value value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

template <class Value, class Table>
std::optional<Value> value_of(const Table& table, std::string_view text) {
  for (const auto& [v, name] : table)
    if (name == text) return v;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(EventKind kind) { return name_of(kKinds, kind); }
std::string_view to_string(EventStatus status) { return name_of(kStatuses, status); }
std::optional<EventKind> event_kind_from(std::string_view text) {
  return value_of<EventKind>(kKinds, text);
}
std::optional<EventStatus> event_status_from(std::string_view text) {
  return value_of<EventStatus>(kStatuses, text);
}

nlohmann::json to_json(const HistoryEvent& event) {
  nlohmann::json out = {{"seq", event.seq},
                        {"path", event.path},
                        {"attempt", event.attempt},
                        {"kind", to_string(event.kind)},
                        {"name", event.name},
                        {"status", to_string(event.status)},
                        {"started_at", event.started_at},
                        {"ended_at", event.ended_at ? nlohmann::json(event.ended_at) : nullptr}};
  if (event.fire_at) out["fire_at"] = event.fire_at;
  if (!event.location.empty()) out["location"] = event.location;
  if (!event.fingerprint.empty()) out["fingerprint"] = event.fingerprint;
  if (event.step_key_read) out["step_key_read"] = true;
  if (!event.error.is_null())
    out["error"] = event.error;
  else
    out["result"] = event.result;
  return out;
}

}  // namespace weft::engine
