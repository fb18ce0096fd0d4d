// SqliteScriptStore: script versions by hash, the workflow file in
// `source`, its modules, if any, as JSON in `modules`.
#include "engine/sqlite_store.hpp"

#include "engine/sqlite_db.hpp"

namespace weft::engine {

void SqliteScriptStore::put_version(const ScriptVersion& version) {
  auto writer = database_->writer();
  writer->prepare("INSERT OR IGNORE INTO scripts(hash, workflow, source, created_at, entry, modules,"
                  " folder) VALUES (?1,?2,?3,strftime('%s','now')*1000,?4,?5,?6)")
      .bind(1, version.hash).bind(2, version.workflow).bind(3, version.entry_source())
      .bind(4, version.entry).bind(5, modules_json(version)).bind(6, version.folder)
      .run();
}

std::optional<ScriptVersion> SqliteScriptStore::get_version(const std::string& hash) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT workflow, source, entry, modules, folder FROM scripts WHERE hash = ?1");
  query.bind(1, hash);
  if (!query.step()) return std::nullopt;
  ScriptVersion version;
  version.hash = hash;
  version.workflow = query.text(0);
  // Versions stored before files were named: the workflow's name stands in.
  version.entry = query.text(2).empty() ? version.workflow + ".lua" : query.text(2);
  version.files[version.entry] = query.text(1);
  std::string modules = query.text(3);
  version.folder = query.text(4);
  query.reset();
  read_modules_json(modules, version);
  return version;
}

}  // namespace weft::engine
