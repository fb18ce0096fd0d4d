// Where a run's history and its workflow's code part ways: the first
// durable call they disagree on, as each has it. A run that meets one
// while executing fails with it in its non-determinism error; `weft
// replay` reports it.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "engine/history_event.hpp"

namespace weft::engine {

struct CallSummary {
  std::string kind;
  std::string name;
  std::string location;     // "file:line", "" when unknown
  std::string fingerprint;  // of the call's options, "" for none
};

struct Divergence {
  int64_t seq = 0;
  std::string path;
  std::optional<CallSummary> recorded;  // none: history has no call there
  std::optional<CallSummary> current;   // none: the code ends before that call
};

CallSummary summarize(const HistoryEvent& event);

// The position as reports give it: the seq (a number) for a call of the
// workflow body, the path ("4/2/1") inside parallel branches.
nlohmann::json position_json(const Divergence& divergence);

// {"position", "recorded": {kind, name, location, fingerprint} | null, "current": ... | null}
nlohmann::json to_json(const Divergence& divergence);

// One line: "at position 3: history has step 'a' (x.lua:4), the code now
// calls step 'b' (x.lua:5)".
std::string describe(const Divergence& divergence);

}  // namespace weft::engine
