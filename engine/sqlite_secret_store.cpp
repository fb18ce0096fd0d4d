// SqliteSecretStore: weft.secrets ciphertexts in the secrets table.
#include "engine/sqlite_store.hpp"

#include "engine/sqlite_db.hpp"

namespace weft::engine {

void SqliteSecretStore::put_secret(const std::string& name, const std::string& ciphertext, int64_t now) {
  auto writer = database_->writer();
  writer->prepare("INSERT OR REPLACE INTO secrets(name, ciphertext, updated_at) VALUES (?1, ?2, ?3)")
      .bind(1, name).bind_blob(2, ciphertext).bind(3, now)
      .run();
}

std::optional<std::string> SqliteSecretStore::get_secret(const std::string& name) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT ciphertext FROM secrets WHERE name = ?1");
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  std::string ciphertext = query.blob(0);
  query.reset();
  return ciphertext;
}

std::vector<std::string> SqliteSecretStore::secret_names() {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT name FROM secrets ORDER BY name");
  std::vector<std::string> names;
  while (query.step()) names.push_back(query.text(0));
  return names;
}

bool SqliteSecretStore::delete_secret(const std::string& name) {
  auto writer = database_->writer();
  writer->prepare("DELETE FROM secrets WHERE name = ?1").bind(1, name).run();
  return writer->changes() > 0;
}

void SqliteSecretStore::replace_secrets(const std::vector<std::pair<std::string, std::string>>& sealed,
                                  int64_t now) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  for (const auto& [name, ciphertext] : sealed)
    writer->prepare("UPDATE secrets SET ciphertext = ?2, updated_at = ?3 WHERE name = ?1")
        .bind(1, name).bind_blob(2, ciphertext).bind(3, now)
        .run();
  tx.commit();
}

}  // namespace weft::engine
