// SqliteStore: the data workflows keep besides their runs — documents
// (weft.store), blobs (weft.blob) and encrypted secrets (weft.secrets).
#include <algorithm>
#include <stdexcept>

#include "engine/document_query.hpp"
#include "engine/json_limits.hpp"
#include "engine/sqlite_db.hpp"
#include "engine/store_sqlite.hpp"

namespace weft::engine {
namespace {

using nlohmann::json;

void bind_value(sqlite::Statement& statement, int index, const json& value) {
  if (value.is_string())
    statement.bind(index, value.get_ref<const std::string&>());
  else if (value.is_boolean())
    statement.bind(index, static_cast<int64_t>(value.get<bool>()));
  else if (value.is_number_integer())
    statement.bind(index, value.get<int64_t>());
  else if (value.is_number())
    statement.bind(index, value.get<double>());
  else
    statement.bind_null(index);
}

Document read_document(const sqlite::Statement& row) {
  return {row.text(0), parse_json(row.text(1), kMaxStoredJsonDepth), row.int64(2), row.int64(3)};
}

// doc_by_status__priority__next_at for the fields status, priority, next_at.
std::string index_name(const std::vector<std::string>& fields) {
  std::string name = "doc_by";
  for (const auto& field : fields) {
    name += "_";
    for (char c : field) name += c == '.' ? std::string("_") : std::string(1, c);
    name += "_";
  }
  return name;
}

}  // namespace

// One composite index per query shape (its fields in index order), made
// the first time the shape is queried.
void SqliteStore::ensure_index(const std::vector<std::string>& fields) {
  if (fields.empty()) return;
  std::string name = index_name(fields);
  std::lock_guard lock(write_mutex_);
  if (made_indexes_.count(name)) return;
  std::string columns = "collection";
  for (const auto& field : fields) columns += ", " + field_expression(field);
  writer_->exec("CREATE INDEX IF NOT EXISTS " + name + " ON documents(" + columns + ")");
  made_indexes_.insert(name);
}

PutResult SqliteStore::put_document(const std::string& collection, const std::string& id,
                                    const json& doc, int64_t if_version, int64_t now) {
  std::lock_guard lock(write_mutex_);
  sqlite::Transaction tx(*writer_);
  auto current = writer_->prepare("SELECT version FROM documents WHERE collection = ?1 AND id = ?2");
  current.bind(1, collection).bind(2, id);
  int64_t version = current.step() ? current.int64(0) : 0;
  current.reset();
  if (if_version >= 0 && if_version != version) return {true, version};
  writer_->prepare("INSERT OR REPLACE INTO documents(collection, id, doc, version, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, collection).bind(2, id).bind(3, dump_json(doc)).bind(4, version + 1).bind(5, now)
      .run();
  tx.commit();
  return {false, version + 1};
}

std::optional<Document> SqliteStore::get_document(const std::string& collection,
                                                  const std::string& id) {
  std::lock_guard lock(read_mutex_);
  auto query = reader_->prepare(
      "SELECT id, doc, version, updated_at FROM documents WHERE collection = ?1 AND id = ?2");
  query.bind(1, collection).bind(2, id);
  if (!query.step()) return std::nullopt;
  Document document = read_document(query);
  query.reset();
  return document;
}

bool SqliteStore::delete_document(const std::string& collection, const std::string& id) {
  std::lock_guard lock(write_mutex_);
  writer_->prepare("DELETE FROM documents WHERE collection = ?1 AND id = ?2")
      .bind(1, collection).bind(2, id)
      .run();
  return writer_->changes() > 0;
}

std::vector<Document> SqliteStore::find_documents(const std::string& collection,
                                                  const DocumentQuery& query) {
  CompiledQuery compiled = compile_query(query, 2);
  ensure_index(compiled.index_fields);
  std::string sql = "SELECT id, doc, version, updated_at FROM documents WHERE collection = ?1";
  if (!compiled.where.empty()) sql += " AND " + compiled.where;
  sql += " ORDER BY " + (compiled.order_by.empty() ? std::string("id") : compiled.order_by + ", id");
  sql += " LIMIT " + std::to_string(std::max<int64_t>(0, query.limit));
  std::lock_guard lock(read_mutex_);
  sqlite::OneShotStatement statement(*reader_, sql);
  statement.get().bind(1, collection);
  for (size_t i = 0; i < compiled.values.size(); ++i)
    bind_value(statement.get(), static_cast<int>(i + 2), compiled.values[i]);
  std::vector<Document> documents;
  while (statement.get().step()) documents.push_back(read_document(statement.get()));
  return documents;
}

void SqliteStore::put_blob(const Blob& blob) {
  std::lock_guard lock(write_mutex_);
  writer_->prepare("INSERT OR REPLACE INTO blobs(path, content_type, data, size, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, blob.path).bind(2, blob.content_type).bind_blob(3, blob.data)
      .bind(4, static_cast<int64_t>(blob.data.size())).bind(5, blob.updated_at)
      .run();
}

std::optional<Blob> SqliteStore::get_blob(const std::string& path) {
  std::lock_guard lock(read_mutex_);
  auto query = reader_->prepare(
      "SELECT path, content_type, data, size, updated_at FROM blobs WHERE path = ?1");
  query.bind(1, path);
  if (!query.step()) return std::nullopt;
  Blob blob{query.text(0), query.text(1), query.blob(2), query.int64(3), query.int64(4)};
  query.reset();
  return blob;
}

std::vector<Blob> SqliteStore::list_blobs(const std::string& prefix, int64_t limit) {
  std::lock_guard lock(read_mutex_);
  // Paths sort by prefix: [prefix, prefix + U+10FFFF) covers exactly them.
  auto query = reader_->prepare(
      "SELECT path, content_type, size, updated_at FROM blobs WHERE path >= ?1 AND path < ?2"
      " ORDER BY path LIMIT ?3");
  query.bind(1, prefix).bind(2, prefix + "\xf4\x8f\xbf\xbf").bind(3, limit);
  std::vector<Blob> blobs;
  while (query.step())
    blobs.push_back({query.text(0), query.text(1), "", query.int64(2), query.int64(3)});
  return blobs;
}

bool SqliteStore::delete_blob(const std::string& path) {
  std::lock_guard lock(write_mutex_);
  writer_->prepare("DELETE FROM blobs WHERE path = ?1").bind(1, path).run();
  return writer_->changes() > 0;
}

void SqliteStore::put_secret(const std::string& name, const std::string& ciphertext, int64_t now) {
  std::lock_guard lock(write_mutex_);
  writer_->prepare("INSERT OR REPLACE INTO secrets(name, ciphertext, updated_at) VALUES (?1, ?2, ?3)")
      .bind(1, name).bind_blob(2, ciphertext).bind(3, now)
      .run();
}

std::optional<std::string> SqliteStore::get_secret(const std::string& name) {
  std::lock_guard lock(read_mutex_);
  auto query = reader_->prepare("SELECT ciphertext FROM secrets WHERE name = ?1");
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  std::string ciphertext = query.blob(0);
  query.reset();
  return ciphertext;
}

std::vector<std::string> SqliteStore::secret_names() {
  std::lock_guard lock(read_mutex_);
  auto query = reader_->prepare("SELECT name FROM secrets ORDER BY name");
  std::vector<std::string> names;
  while (query.step()) names.push_back(query.text(0));
  return names;
}

bool SqliteStore::delete_secret(const std::string& name) {
  std::lock_guard lock(write_mutex_);
  writer_->prepare("DELETE FROM secrets WHERE name = ?1").bind(1, name).run();
  return writer_->changes() > 0;
}

void SqliteStore::replace_secrets(const std::vector<std::pair<std::string, std::string>>& sealed,
                                  int64_t now) {
  std::lock_guard lock(write_mutex_);
  sqlite::Transaction tx(*writer_);
  for (const auto& [name, ciphertext] : sealed)
    writer_->prepare("UPDATE secrets SET ciphertext = ?2, updated_at = ?3 WHERE name = ?1")
        .bind(1, name).bind_blob(2, ciphertext).bind(3, now)
        .run();
  tx.commit();
}

}  // namespace weft::engine
