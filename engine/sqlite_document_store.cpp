// SqliteDocumentStore: weft.store documents keyed by (tenant, collection,
// id), with one index per query shape.
#include "engine/sqlite_store.hpp"

#include <algorithm>

#include "engine/document_query.hpp"
#include "engine/json_limits.hpp"
#include "engine/sqlite_db.hpp"

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
void SqliteDocumentStore::ensure_index(const std::vector<std::string>& fields) {
  if (fields.empty()) return;
  std::string name = index_name(fields);
  auto writer = database_->writer();
  if (made_indexes_.count(name)) return;
  std::string columns = "tenant, collection";
  for (const auto& field : fields) columns += ", " + field_expression(field);
  writer->exec("CREATE INDEX IF NOT EXISTS " + name + " ON documents(" + columns + ")");
  made_indexes_.insert(name);
}

PutResult SqliteDocumentStore::put_document(const std::string& tenant, const std::string& collection,
                                            const std::string& id, const json& doc,
                                            int64_t if_version, int64_t now) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  auto current = writer->prepare(
      "SELECT version FROM documents WHERE tenant = ?3 AND collection = ?1 AND id = ?2");
  current.bind(1, collection).bind(2, id).bind(3, tenant);
  int64_t version = current.step() ? current.int64(0) : 0;
  current.reset();
  if (if_version >= 0 && if_version != version) return {true, version};
  writer->prepare("INSERT OR REPLACE INTO documents(tenant, collection, id, doc, version, updated_at)"
                   " VALUES (?6, ?1, ?2, ?3, ?4, ?5)")
      .bind(1, collection).bind(2, id).bind(3, dump_json(doc)).bind(4, version + 1).bind(5, now)
      .bind(6, tenant)
      .run();
  tx.commit();
  return {false, version + 1};
}

std::optional<Document> SqliteDocumentStore::get_document(const std::string& tenant,
                                                          const std::string& collection,
                                                          const std::string& id) {
  auto reader = database_->reader();
  auto query = reader->prepare(
      "SELECT id, doc, version, updated_at FROM documents"
      " WHERE tenant = ?3 AND collection = ?1 AND id = ?2");
  query.bind(1, collection).bind(2, id).bind(3, tenant);
  if (!query.step()) return std::nullopt;
  Document document = read_document(query);
  query.reset();
  return document;
}

bool SqliteDocumentStore::delete_document(const std::string& tenant, const std::string& collection,
                                          const std::string& id) {
  auto writer = database_->writer();
  writer->prepare("DELETE FROM documents WHERE tenant = ?3 AND collection = ?1 AND id = ?2")
      .bind(1, collection).bind(2, id).bind(3, tenant)
      .run();
  return writer->changes() > 0;
}

std::vector<Document> SqliteDocumentStore::find_documents(const std::string& tenant,
                                                          const std::string& collection,
                                                          const DocumentQuery& query) {
  CompiledQuery compiled = compile_query(query, 3);
  ensure_index(compiled.index_fields);
  std::string sql =
      "SELECT id, doc, version, updated_at FROM documents WHERE tenant = ?2 AND collection = ?1";
  if (!compiled.where.empty()) sql += " AND " + compiled.where;
  sql += " ORDER BY " + (compiled.order_by.empty() ? std::string("id") : compiled.order_by + ", id");
  sql += " LIMIT " + std::to_string(std::max<int64_t>(0, query.limit));
  auto reader = database_->reader();
  sqlite::OneShotStatement statement(*reader, sql);
  statement.get().bind(1, collection).bind(2, tenant);
  for (size_t i = 0; i < compiled.values.size(); ++i)
    bind_value(statement.get(), static_cast<int>(i + 3), compiled.values[i]);
  std::vector<Document> documents;
  while (statement.get().step()) documents.push_back(read_document(statement.get()));
  return documents;
}

}  // namespace weft::engine
