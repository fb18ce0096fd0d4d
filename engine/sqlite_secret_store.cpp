// SqliteSecretStore: weft.secrets ciphertexts in the secrets table, keyed
// by (tenant, name), with their expiry and metadata.
#include "engine/sqlite_store.hpp"

#include "engine/sqlite_db.hpp"

namespace weft::engine {

void SqliteSecretStore::put_secret(const std::string& tenant, const SecretInfo& info,
                                   const std::string& ciphertext) {
  auto writer = database_->writer();
  writer->prepare("INSERT OR REPLACE INTO secrets(tenant, name, ciphertext, updated_at, expires_at, meta)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, tenant).bind(2, info.name).bind_blob(3, ciphertext).bind(4, info.updated_at)
      .bind(5, info.expires_at).bind(6, info.meta)
      .run();
}

std::optional<std::string> SqliteSecretStore::get_secret(const std::string& tenant, const std::string& name) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT ciphertext FROM secrets WHERE tenant = ?1 AND name = ?2");
  query.bind(1, tenant).bind(2, name);
  if (!query.step()) return std::nullopt;
  std::string ciphertext = query.blob(0);
  query.reset();
  return ciphertext;
}

std::vector<SecretInfo> SqliteSecretStore::list_secrets(const std::string& tenant, const std::string& prefix) {
  auto reader = database_->reader();
  // Names sort by prefix: [prefix, prefix + U+10FFFF) covers exactly them.
  auto query = reader->prepare(
      "SELECT name, expires_at, updated_at, meta FROM secrets"
      " WHERE tenant = ?1 AND name >= ?2 AND name < ?3 ORDER BY name");
  query.bind(1, tenant).bind(2, prefix).bind(3, prefix + "\xf4\x8f\xbf\xbf");
  std::vector<SecretInfo> secrets;
  while (query.step()) secrets.push_back({query.text(0), query.int64(1), query.int64(2), query.text(3)});
  return secrets;
}

bool SqliteSecretStore::delete_secret(const std::string& tenant, const std::string& name) {
  auto writer = database_->writer();
  writer->prepare("DELETE FROM secrets WHERE tenant = ?1 AND name = ?2").bind(1, tenant).bind(2, name).run();
  return writer->changes() > 0;
}

std::vector<SealedSecret> SqliteSecretStore::all_secrets() {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT tenant, name, ciphertext FROM secrets ORDER BY tenant, name");
  std::vector<SealedSecret> secrets;
  while (query.step()) secrets.push_back({query.text(0), query.text(1), query.blob(2)});
  return secrets;
}

void SqliteSecretStore::replace_secrets(const std::vector<SealedSecret>& sealed) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  for (const auto& secret : sealed)
    writer->prepare("UPDATE secrets SET ciphertext = ?3 WHERE tenant = ?1 AND name = ?2")
        .bind(1, secret.tenant).bind(2, secret.name).bind_blob(3, secret.ciphertext)
        .run();
  tx.commit();
}

}  // namespace weft::engine
