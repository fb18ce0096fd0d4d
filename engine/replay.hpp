// The journal of one run: recorded history in, decisions out. No I/O, no
// Lua: the ctx functions ask it what to do with each durable call.
//
//   each call, at its path: recorded event at this path?
//     same kind & name, final  → Replay (hand back the record)
//     same kind & name, open   → Execute / Complete / Park
//     other kind or name       → Mismatch (non-determinism)
//     none                     → Execute (a new event at the next seq)
//
// A step whose latest event is a redrive marker (EventStatus::Redriven,
// written by redrive_run) executes again: its failure is superseded.
//
// Design: calls are matched by path (history_event.hpp), the position in
// the code, so a run that makes the same calls at the same positions meets
// the same events whatever order its branches ran in. Sequence numbers are
// given to new calls in the order they run, after the recorded ones.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
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
  std::string path;
  int attempt = 1;
  int attempt_base = 0;  // a step's retry budget counts attempts after this one
  const HistoryEvent* recorded = nullptr;  // latest event at seq, if any
  const InboxEvent* inbox = nullptr;       // wait_event: the event that arrived
  int64_t wake_at = 0;
  std::string message;
  // The call as the code makes it now (set by the caller of next()):
  // where it is in the source and its options' fingerprint.
  std::string location;
  std::string fingerprint;
};

class Journal {
 public:
  Journal() = default;
  Journal(std::vector<HistoryEvent> events, std::vector<InboxEvent> inbox);

  // Decides the durable call at `path` of `kind` named `name` at time `now`.
  Decision next(const std::string& path, EventKind kind, std::string_view name, int64_t now);

  // Marks an inbox event as taken (it is consumed durably with the commit).
  void take_inbox(int64_t inbox_id) { taken_inbox_.insert(inbox_id); }

  // The highest sequence number recorded or given: the run's call count.
  int64_t last_seq() const { return next_seq_ - 1; }

 private:
  Decision decide_step(Decision d, const std::vector<HistoryEvent>& at, int64_t now) const;
  Decision decide_open(Decision d, EventKind kind, std::string_view name, int64_t now);
  const InboxEvent* first_unread(std::string_view name) const;

  // The recorded events of each path, attempts oldest first: the body's
  // calls (path "n") by n, the branches' in a map.
  std::vector<HistoryEvent>* recorded_at(const std::string& path, bool create);
  std::vector<std::vector<HistoryEvent>> body_;
  size_t body_limit_ = 0;  // body paths past this (a damaged history) go to the map
  std::unordered_map<std::string, std::vector<HistoryEvent>> branches_;
  std::vector<InboxEvent> inbox_;
  std::set<int64_t> taken_inbox_;
  int64_t next_seq_ = 1;
};

}  // namespace weft::engine
