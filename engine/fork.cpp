// Forks (see fork.hpp).
#include "engine/fork.hpp"

#include <map>
#include <stdexcept>

#include "engine/ids.hpp"

namespace weft::engine {

ForkPoint find_fork_point(const std::vector<HistoryEvent>& history, const std::string& position) {
  bool is_seq = !position.empty() && position.find_first_not_of("0123456789") == std::string::npos;
  const HistoryEvent* found = nullptr;
  for (const auto& event : history) {
    bool match = is_seq ? std::to_string(event.seq) == position : event.path == position;
    if (match) {
      found = &event;
      break;
    }
  }
  if (!found) {
    std::string known = history.empty() ? "it has no calls"
                                        : "its calls are 1.." + std::to_string(history.back().seq);
    throw std::invalid_argument("no call at position '" + position + "' in the run's history (" +
                                known + ")");
  }
  for (const auto& event : history)
    if (event.seq < found->seq && event.kind == EventKind::Child && event.status == EventStatus::Pending)
      throw std::invalid_argument("child '" + event.name + "' at position " + std::to_string(event.seq) +
                                  " has not ended: fork from position " + std::to_string(event.seq) +
                                  " or before it");
  return {found->seq, found->path};
}

std::vector<HistoryEvent> fork_prefix(const std::vector<HistoryEvent>& history,
                                      const ForkPoint& point, const std::string& fork_id) {
  std::vector<HistoryEvent> prefix;
  for (const auto& event : history) {
    if (event.seq >= point.seq) continue;
    prefix.push_back(event);
    prefix.back().run_id = fork_id;
  }
  return prefix;
}

std::vector<HistoryEvent> fork_suffix(const std::vector<HistoryEvent>& history,
                                      const ForkPoint& point) {
  std::map<int64_t, HistoryEvent> latest;  // history is in (seq, attempt) order
  for (const auto& event : history)
    if (event.seq >= point.seq) latest[event.seq] = event;
  std::vector<HistoryEvent> out;
  for (auto& [seq, event] : latest) out.push_back(std::move(event));
  return out;
}

Run fork_run_record(const Run& original, const ForkPoint& point, const std::string& script_hash,
                    nlohmann::json input, int64_t now) {
  Run fork;
  fork.id = new_time_ordered_uuid(now);
  fork.workflow = original.workflow;
  fork.script_hash = script_hash;
  fork.input = std::move(input);
  fork.status = RunStatus::Pending;
  fork.created_at = fork.updated_at = fork.wake_at = now;
  fork.tenant = original.tenant;
  fork.root_id = fork.id;
  fork.queue = original.queue;  // admitted as any run of its workflow
  fork.priority = original.priority;
  if (original.deadline) fork.deadline = now + (original.deadline - original.created_at);
  fork.forked_from = original.id;
  fork.forked_seq = point.seq;
  return fork;
}

bool commit_fork(Store& store, const Run& fork, const std::vector<HistoryEvent>& prefix) {
  RunWrite write{fork.id, "", {InsertRun{fork}}};
  for (const auto& event : prefix) write.mutations.push_back(PutEvent{event});
  return store.runs().commit({write}).at(0);
}

}  // namespace weft::engine
