// The journal of one run: recorded history in, decisions out. No I/O, no
// Lua: the ctx functions ask it what to do with each durable call.
//
//   start ──► replaying ──(history exhausted)──► executing ──► closed
//               │  each call: recorded event at this seq?
//               │    same kind & name, final  → Replay (hand back the record)
//               │    same kind & name, open   → Execute / Complete / Park
//               │    other kind or name       → Mismatch (non-determinism)
//               ▼
//   executing: every call → Execute (a new event at the next seq)
//
// A step whose latest event is a redrive marker (EventStatus::Redriven,
// written by redrive_run) executes again: its failure is superseded.
//
// Design: sequence numbers are given in call order, so a run that calls
// the same durable functions in the same order meets the same events.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/history_event.hpp"
#include "engine/store.hpp"

namespace weft::engine {

struct Decision {
  enum class Action {
    Replay,    // `recorded` is final: return its result or raise its error
    Execute,   // run it now, as `attempt` (a step) or for the first time
    Complete,  // an open event is due now (sleep over, event arrived, timeout)
    Park,      // not yet due: park the run until `wake_at` (0 = by event/child)
    Mismatch,  // history disagrees: `message` says how
  };
  Action action = Action::Execute;
  int64_t seq = 0;
  int attempt = 1;
  int attempt_base = 0;  // a step's retry budget counts attempts after this one
  const HistoryEvent* recorded = nullptr;  // latest event at seq, if any
  const InboxEvent* inbox = nullptr;       // wait_event: the event that arrived
  int64_t wake_at = 0;
  std::string message;
};

class Journal {
 public:
  Journal() = default;
  Journal(std::vector<HistoryEvent> events, std::vector<InboxEvent> inbox);

  // Decides the next durable call of `kind` named `name` at time `now`.
  Decision next(EventKind kind, std::string_view name, int64_t now);

  // Marks an inbox event as taken (it is consumed durably with the commit).
  void take_inbox(int64_t inbox_id) { taken_inbox_.insert(inbox_id); }

  int64_t last_seq() const { return next_seq_ - 1; }
  bool replaying() const { return next_seq_ <= max_recorded_seq_; }
  // The recorded events of `seq`, oldest attempt first (empty if none).
  const std::vector<HistoryEvent>& events_at(int64_t seq) const;

 private:
  Decision decide_step(Decision d, const std::vector<HistoryEvent>& at, int64_t now) const;
  Decision decide_open(Decision d, EventKind kind, std::string_view name, int64_t now);
  const InboxEvent* first_unread(std::string_view name) const;

  std::map<int64_t, std::vector<HistoryEvent>> by_seq_;
  std::vector<InboxEvent> inbox_;
  std::set<int64_t> taken_inbox_;
  int64_t next_seq_ = 1;
  int64_t max_recorded_seq_ = 0;
};

}  // namespace weft::engine
