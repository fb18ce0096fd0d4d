// Forking a run (weft fork, POST /v1/runs/{id}/fork): a new run whose
// history is the original's before a position, copied so that it
// replays, and which executes from that position on, possibly on another
// version and with another input. The original run is not touched.
//
// Design: "before the position" is by sequence number, the order calls
// first ran: a fork from seq 6 keeps calls 1..5 whatever branch they ran
// in, and a branch's later calls run again. Positions are matched by path
// on replay (replay.hpp), so the copied calls meet their code again.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/history_event.hpp"
#include "engine/run.hpp"
#include "engine/store.hpp"

namespace weft::engine {

struct ForkPoint {
  int64_t seq = 0;
  std::string path;
};

// The call at `position` ("7": a seq; "4/2/1": a path inside branches).
// Throws std::invalid_argument naming the position when history has no
// such call, or when a child run before it has not ended (the fork could
// never learn its outcome).
ForkPoint find_fork_point(const std::vector<HistoryEvent>& history, const std::string& position);

// The events before the point (every attempt), as events of `fork_id`.
std::vector<HistoryEvent> fork_prefix(const std::vector<HistoryEvent>& history,
                                      const ForkPoint& point, const std::string& fork_id);

// The latest event of each call at or after the point: the calls the fork
// executes again (if its code still makes them).
std::vector<HistoryEvent> fork_suffix(const std::vector<HistoryEvent>& history,
                                      const ForkPoint& point);

// The fork's run record: pending and due at `now`, on `script_hash`, with
// `input`, the original's tenant and timeout length, and its lineage.
Run fork_run_record(const Run& original, const ForkPoint& point, const std::string& script_hash,
                    nlohmann::json input, int64_t now);

// Writes the fork and its copied history in one commit; false if its id
// is taken.
bool commit_fork(Store& store, const Run& fork, const std::vector<HistoryEvent>& prefix);

}  // namespace weft::engine
