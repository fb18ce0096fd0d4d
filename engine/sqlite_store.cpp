// open_sqlite_store (see sqlite_store.hpp).
#include "engine/sqlite_store.hpp"

namespace weft::engine {

std::unique_ptr<Store> open_sqlite_store(const std::string& path, SqliteOptions options) {
  auto database = std::make_shared<SqliteDatabase>(path, options);
  return std::make_unique<Store>(StoreParts{
      std::make_unique<SqliteRunStore>(database), std::make_unique<SqliteScriptStore>(database),
      std::make_unique<SqliteDocumentStore>(database), std::make_unique<SqliteBlobStore>(database),
      std::make_unique<SqliteSecretStore>(database), std::make_unique<SqliteDeliveryStore>(database),
      std::make_unique<SqliteRateLimitStore>(database)});
}

}  // namespace weft::engine
