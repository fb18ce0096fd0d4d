// SqliteRateLimitStore: rate-limit state in table rate_limits, changed in
// one write transaction per draw on the database's limits connection
// (see sqlite_database.hpp), so two processes never both take the last token.
#include "engine/json_limits.hpp"
#include "engine/sqlite_db.hpp"
#include "engine/sqlite_store.hpp"

namespace weft::engine {

void SqliteRateLimitStore::update_limits(const std::vector<std::string>& keys, int64_t now,
                                         const std::function<void(States&)>& update) {
  auto db = database_->limits();
  sqlite::Transaction tx(*db);
  States states;
  nlohmann::json names = keys;
  auto read = db->prepare("SELECT key, state FROM rate_limits WHERE key IN (SELECT value FROM json_each(?1))");
  read.bind(1, dump_json(names));
  while (read.step()) states[read.text(0)] = parse_json(read.text(1), kMaxStoredJsonDepth);
  read.reset();
  update(states);
  for (const auto& [key, state] : states)
    db->prepare("INSERT INTO rate_limits(key, state, updated_at) VALUES (?1, ?2, ?3)"
                " ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")
        .bind(1, key).bind(2, dump_json(state)).bind(3, now)
        .run();
  tx.commit();
}

std::vector<std::pair<std::string, nlohmann::json>> SqliteRateLimitStore::list_limits(int64_t limit) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT key, state FROM rate_limits ORDER BY updated_at DESC, key LIMIT ?1");
  query.bind(1, limit);
  std::vector<std::pair<std::string, nlohmann::json>> out;
  while (query.step()) out.emplace_back(query.text(0), parse_json(query.text(1), kMaxStoredJsonDepth));
  return out;
}

void SqliteRateLimitStore::prune_limits(int64_t before) {
  auto db = database_->limits();
  db->prepare("DELETE FROM rate_limits WHERE updated_at < ?1").bind(1, before).run();
}

}  // namespace weft::engine
