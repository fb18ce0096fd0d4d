// Repro bundles (weft export / weft import): one JSON document with a
// run, its history and its script version (the workflow file and its
// modules), so a run can be replayed, debugged or forked on another
// machine. Secrets never enter a bundle: history and results are stored
// with declared secrets' values already redacted.
//
// A bundle is hostile input when imported: every field is checked, and
// its version must hash to the hash it claims (a forged hash could
// otherwise plant code under a version another run executes).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "engine/history_event.hpp"
#include "engine/run.hpp"
#include "engine/script_version.hpp"
#include "engine/store.hpp"

namespace weft::engine {

struct RunBundle {
  Run run;
  std::vector<HistoryEvent> history;
  ScriptVersion version;
};

// {"format": "weft-bundle/1", "run", "history", "version"}
nlohmann::json to_json(const RunBundle& bundle);

// Throws std::invalid_argument naming the first bad field.
RunBundle bundle_from_json(const nlohmann::json& document);

// The bundle of a stored run; throws std::invalid_argument if there is no
// such run or its version is not stored.
RunBundle export_run(Store& store, const std::string& run_id);

// Stores the bundle's version and a copy of its run under a new id, marked
// imported and not due (nothing executes it), with its history. Returns
// the new run.
Run import_bundle(Store& store, const RunBundle& bundle, int64_t now);

}  // namespace weft::engine
