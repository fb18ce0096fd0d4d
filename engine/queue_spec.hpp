// A named queue as a workflow declares it in `on`:
// weft.queue { name = "sync-inbound", concurrency = 10, count_parked = false }.
// Every run of that workflow is admitted through it: at most `concurrency`
// of them are active at once across every process on the database, higher
// priority first, first come first served within a priority.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace weft::engine {

struct QueueSpec {
  std::string name;
  std::string workflow;
  int64_t concurrency = 1;
  // false: a run holds a slot only while it executes (a sleeping or
  // waiting run gives its slot back and needs one again to go on);
  // true: from its admission until it ends.
  bool count_parked = false;
  // A workflow's `concurrency = { limit = N, key = "tenant" }`: one queue
  // per value of the input at this dotted path, named `name` + the value
  // (`name` is "<workflow>#", which no weft.queue name can be). "" for a
  // weft.queue.
  std::string key_path;
};

// The queue a run with `input` goes through: the spec's name, or for a
// per-key spec its name and the value at the key path (a string as is,
// other JSON as text, absent as ""; over 100 bytes, its SHA-256).
std::string queue_for(const QueueSpec& spec, const nlohmann::json& input);

// The queue names a spec covers: [first, last) — one name, or every
// per-key queue of the spec.
std::pair<std::string, std::string> queue_range(const QueueSpec& spec);

// What GET /v1/queues reports of one queue, counted when it is asked.
struct QueueStats {
  int64_t active = 0;   // holding a slot (queue_spec.hpp)
  int64_t waiting = 0;  // due, not running: waiting for a slot (or about to be claimed)
  std::map<int64_t, int64_t> waiting_by_priority;
  int64_t delayed = 0;               // not yet admitted and due later (a start's delay)
  int64_t oldest_waiting_since = 0;  // the earliest due time of a waiting run; 0: none
};

// Names like "sync-inbound": 1-64 of [A-Za-z0-9._-]; concurrency 1-100000.
// Throws std::invalid_argument naming the field at fault.
void validate_queue(const QueueSpec& spec);

// A weft.queue as a workflow's trigger: { type = "queue", name, concurrency, count_parked }.
nlohmann::json to_json(const QueueSpec& spec);
// What GET /v1/queues and `weft queues --json` print of a queue at `now`.
nlohmann::json queue_status_json(const QueueSpec& spec, const QueueStats& stats, int64_t now);

}  // namespace weft::engine
