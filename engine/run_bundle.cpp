// Repro bundles (see run_bundle.hpp).
#include "engine/run_bundle.hpp"

#include <stdexcept>

#include "engine/ids.hpp"

namespace weft::engine {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "weft-bundle/1";

const json& field(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key))
    throw std::invalid_argument(where + "." + key + ": missing");
  return object[key];
}

std::string text(const json& object, const char* key, const std::string& where) {
  const json& value = field(object, key, where);
  if (!value.is_string()) throw std::invalid_argument(where + "." + key + ": expected a string");
  return value.get<std::string>();
}

int64_t number(const json& object, const char* key, const std::string& where, int64_t fallback) {
  if (!object.contains(key) || object[key].is_null()) return fallback;
  if (!object[key].is_number_integer()) throw std::invalid_argument(where + "." + key + ": expected an integer");
  return object[key].get<int64_t>();
}

std::map<std::string, std::string> strings(const json& object, const char* key, const std::string& where) {
  const json& value = field(object, key, where);
  if (!value.is_object()) throw std::invalid_argument(where + "." + key + ": expected an object");
  std::map<std::string, std::string> out;
  for (const auto& [name, item] : value.items()) {
    if (!item.is_string()) throw std::invalid_argument(where + "." + key + "." + name + ": expected a string");
    out[name] = item.get<std::string>();
  }
  return out;
}

HistoryEvent event_from_json(const json& e, const std::string& where) {
  HistoryEvent event;
  event.seq = number(e, "seq", where, 0);
  if (event.seq < 1) throw std::invalid_argument(where + ".seq: expected an integer >= 1");
  event.path = e.contains("path") ? text(e, "path", where) : std::to_string(event.seq);
  event.attempt = static_cast<int>(number(e, "attempt", where, 1));
  auto kind = event_kind_from(text(e, "kind", where));
  if (!kind) throw std::invalid_argument(where + ".kind: unknown kind");
  event.kind = *kind;
  event.name = text(e, "name", where);
  auto status = event_status_from(text(e, "status", where));
  if (!status) throw std::invalid_argument(where + ".status: unknown status");
  event.status = *status;
  event.started_at = number(e, "started_at", where, 0);
  event.ended_at = number(e, "ended_at", where, 0);
  event.fire_at = number(e, "fire_at", where, 0);
  if (e.contains("result")) event.result = e["result"];
  if (e.contains("error")) event.error = e["error"];
  if (e.contains("location")) event.location = text(e, "location", where);
  if (e.contains("fingerprint")) event.fingerprint = text(e, "fingerprint", where);
  event.step_key_read = e.value("step_key_read", false) == true;
  return event;
}

}  // namespace

json to_json(const RunBundle& bundle) {
  json history = json::array();
  for (const auto& event : bundle.history) history.push_back(to_json(event));
  json files = bundle.version.files;
  return {{"format", kFormat},
          {"run", to_json(bundle.run)},
          {"history", std::move(history)},
          {"version",
           {{"hash", bundle.version.hash},
            {"workflow", bundle.version.workflow},
            {"entry", bundle.version.entry},
            {"files", std::move(files)},
            {"modules", bundle.version.modules}}}};
}

RunBundle bundle_from_json(const json& document) {
  if (!document.is_object() || document.value("format", "") != kFormat)
    throw std::invalid_argument(std::string("not a Weft bundle: expected \"format\": \"") + kFormat + "\"");
  RunBundle bundle;
  const json& v = field(document, "version", "bundle");
  bundle.version.hash = text(v, "hash", "version");
  bundle.version.workflow = text(v, "workflow", "version");
  bundle.version.entry = text(v, "entry", "version");
  bundle.version.files = strings(v, "files", "version");
  bundle.version.modules = strings(v, "modules", "version");
  if (!bundle.version.files.count(bundle.version.entry))
    throw std::invalid_argument("version.files: no file " + bundle.version.entry + " (the entry)");
  for (const auto& [module, file] : bundle.version.modules)
    if (!bundle.version.files.count(file))
      throw std::invalid_argument("version.modules." + module + ": no file " + file);
  if (version_hash(bundle.version) != bundle.version.hash)
    throw std::invalid_argument("version.hash: does not match the version's files (the bundle was altered)");

  const json& r = field(document, "run", "bundle");
  bundle.run.id = text(r, "id", "run");
  bundle.run.workflow = text(r, "workflow", "run");
  if (bundle.run.workflow != bundle.version.workflow)
    throw std::invalid_argument("run.workflow: the version is of workflow '" + bundle.version.workflow + "'");
  bundle.run.script_hash = bundle.version.hash;
  bundle.run.input = field(r, "input", "run");
  auto status = run_status_from(text(r, "status", "run"));
  if (!status) throw std::invalid_argument("run.status: unknown status");
  bundle.run.status = *status;
  if (r.contains("result")) bundle.run.result = r["result"];
  if (r.contains("error")) bundle.run.error = r["error"];
  bundle.run.created_at = number(r, "created_at", "run", 0);
  bundle.run.updated_at = number(r, "updated_at", "run", 0);
  if (r.contains("tenant")) bundle.run.tenant = text(r, "tenant", "run");

  const json& history = field(document, "history", "bundle");
  if (!history.is_array()) throw std::invalid_argument("history: expected an array");
  int64_t previous = 0;
  for (size_t i = 0; i < history.size(); ++i) {
    HistoryEvent event = event_from_json(history[i], "history[" + std::to_string(i) + "]");
    if (event.seq < previous) throw std::invalid_argument("history: events must be in seq order");
    previous = event.seq;
    bundle.history.push_back(std::move(event));
  }
  return bundle;
}

RunBundle export_run(Store& store, const std::string& run_id) {
  auto run = store.runs().get_run(run_id);
  if (!run) throw std::invalid_argument("no run " + run_id);
  auto version = store.scripts().get_version(run->script_hash);
  if (!version) throw std::invalid_argument("run " + run_id + ": its version is not stored");
  return {*run, store.runs().history(run_id), *version};
}

Run import_bundle(Store& store, const RunBundle& bundle, int64_t now) {
  store.scripts().put_version(bundle.version);
  Run run = bundle.run;
  run.imported_from = bundle.run.id;
  run.id = new_time_ordered_uuid(now);
  run.root_id = run.id;
  run.parent_id.clear();
  run.parent_seq = 0;
  run.idempotency_key.clear();
  run.wake_at = 0;  // not due: a user's fork, retry or event decides what runs
  run.deadline = 0;
  run.lease_owner.clear();
  run.lease_expires = 0;
  run.forked_from.clear();
  run.forked_seq = 0;
  if (run.status == RunStatus::Running) run.status = RunStatus::Pending;
  RunWrite write{run.id, "", {InsertRun{run}}};
  for (HistoryEvent event : bundle.history) {
    event.run_id = run.id;
    write.mutations.push_back(PutEvent{std::move(event)});
  }
  store.runs().commit({write});
  return run;
}

}  // namespace weft::engine
