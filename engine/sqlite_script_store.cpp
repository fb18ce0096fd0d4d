// SqliteScriptStore: workflow sources by content hash.
#include "engine/sqlite_store.hpp"

#include "engine/sqlite_db.hpp"

namespace weft::engine {

void SqliteScriptStore::put_script(const std::string& hash, const std::string& workflow,
                             const std::string& source) {
  auto writer = database_->writer();
  writer->prepare("INSERT OR IGNORE INTO scripts(hash, workflow, source, created_at)"
                   " VALUES (?1,?2,?3,strftime('%s','now')*1000)")
      .bind(1, hash).bind(2, workflow).bind(3, source)
      .run();
}

std::optional<std::string> SqliteScriptStore::get_script(const std::string& hash) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT source FROM scripts WHERE hash = ?1");
  query.bind(1, hash);
  if (!query.step()) return std::nullopt;
  std::string source = query.text(0);
  query.reset();
  return source;
}

}  // namespace weft::engine
