// The journal's decisions (see replay.hpp for the state machine).
#include "engine/replay.hpp"

#include <cstdint>

namespace weft::engine {
namespace {

using Action = Decision::Action;

bool is_step_kind(EventKind kind) {
  return kind == EventKind::Step || kind == EventKind::Compensation;
}

std::string describe(EventKind kind, std::string_view name) {
  return std::string(to_string(kind)) + " '" + std::string(name) + "'";
}

// A body call's path is its number n (no '/'); 0 for a branch's path.
size_t body_position(const std::string& path) {
  size_t n = 0;
  for (char c : path) {
    if (c < '0' || c > '9' || n > (SIZE_MAX - 9) / 10) return 0;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

}  // namespace

Journal::Journal(std::vector<HistoryEvent> events, std::vector<InboxEvent> inbox)
    : body_limit_(2 * events.size() + 64), inbox_(std::move(inbox)) {
  for (auto& event : events) {  // in (seq, attempt) order
    if (event.seq >= next_seq_) next_seq_ = event.seq + 1;
    if (event.path.empty()) event.path = std::to_string(event.seq);
    recorded_at(event.path, true)->push_back(std::move(event));
  }
}

std::vector<HistoryEvent>* Journal::recorded_at(const std::string& path, bool create) {
  size_t n = body_position(path);
  if (n > 0 && n <= body_.size()) return create || !body_[n - 1].empty() ? &body_[n - 1] : nullptr;
  if (n > 0 && create && n <= body_limit_) {
    body_.resize(n);
    return &body_[n - 1];
  }
  if (create) return &branches_[path];
  auto it = branches_.find(path);
  return it == branches_.end() ? nullptr : &it->second;
}

const InboxEvent* Journal::first_unread(std::string_view name) const {
  for (const auto& event : inbox_)
    if (event.name == name && !taken_inbox_.count(event.id)) return &event;
  return nullptr;
}

Decision Journal::next(const std::string& path, EventKind kind, std::string_view name,
                       int64_t now) {
  Decision d;
  d.path = path;
  const std::vector<HistoryEvent>* found = recorded_at(path, false);
  if (found == nullptr) {
    d.seq = next_seq_++;
    if (kind == EventKind::WaitEvent) {  // an event may have arrived before the wait
      d.inbox = first_unread(name);
      d.action = d.inbox ? Action::Complete : Action::Execute;
      return d;
    }
    d.action = Action::Execute;
    return d;
  }
  const auto& at = *found;
  const HistoryEvent& first = at.front();
  d.seq = first.seq;
  if (first.kind != kind || first.name != name) {
    d.action = Action::Mismatch;
    d.recorded = &at.back();
    d.message = "non-determinism at position " + path + ": history has " +
                describe(first.kind, first.name) + ", the workflow now calls " +
                describe(kind, name);
    return d;
  }
  d.recorded = &at.back();
  if (is_step_kind(kind)) return decide_step(d, at, now);
  if (d.recorded->status != EventStatus::Pending) {
    d.action = Action::Replay;
    return d;
  }
  return decide_open(d, kind, name, now);
}

Decision Journal::decide_step(Decision d, const std::vector<HistoryEvent>& at,
                              int64_t now) const {
  const HistoryEvent& last = at.back();
  for (const auto& event : at)
    if (event.status == EventStatus::Redriven) d.attempt_base = event.attempt;
  switch (last.status) {
    case EventStatus::Completed:
    case EventStatus::Failed:
      d.action = Action::Replay;
      return d;
    case EventStatus::Retrying:
      d.attempt = last.attempt + 1;
      d.wake_at = last.fire_at;
      d.action = now >= last.fire_at ? Action::Execute : Action::Park;
      return d;
    case EventStatus::Redriven:
      d.attempt = last.attempt + 1;
      d.action = Action::Execute;
      return d;
    default:  // a pending step row is never written; execute again
      d.attempt = last.attempt;
      d.action = Action::Execute;
      return d;
  }
}

Decision Journal::decide_open(Decision d, EventKind kind, std::string_view name, int64_t now) {
  const HistoryEvent& open = *d.recorded;
  d.wake_at = open.fire_at;
  if (kind == EventKind::WaitEvent) {
    d.inbox = first_unread(name);
    if (d.inbox) {
      d.action = Action::Complete;
      return d;
    }
  }
  if (kind == EventKind::Child) {  // the child's end completes the event
    d.action = Action::Park;
    return d;
  }
  bool due = open.fire_at != 0 && now >= open.fire_at;
  d.action = due ? Action::Complete : Action::Park;
  return d;
}

}  // namespace weft::engine
