// SqliteBlobStore: weft.blob objects in the blobs table, keyed by (tenant, path).
#include "engine/sqlite_store.hpp"

#include "engine/sqlite_db.hpp"

namespace weft::engine {

void SqliteBlobStore::put_blob(const std::string& tenant, const Blob& blob) {
  auto writer = database_->writer();
  writer->prepare("INSERT OR REPLACE INTO blobs(tenant, path, content_type, data, size, updated_at)"
                   " VALUES (?6, ?1, ?2, ?3, ?4, ?5)")
      .bind(1, blob.path).bind(2, blob.content_type).bind_blob(3, blob.data)
      .bind(4, static_cast<int64_t>(blob.data.size())).bind(5, blob.updated_at).bind(6, tenant)
      .run();
}

std::optional<Blob> SqliteBlobStore::get_blob(const std::string& tenant, const std::string& path) {
  auto reader = database_->reader();
  auto query = reader->prepare(
      "SELECT path, content_type, data, size, updated_at FROM blobs WHERE tenant = ?2 AND path = ?1");
  query.bind(1, path).bind(2, tenant);
  if (!query.step()) return std::nullopt;
  Blob blob{query.text(0), query.text(1), query.blob(2), query.int64(3), query.int64(4)};
  query.reset();
  return blob;
}

std::vector<Blob> SqliteBlobStore::list_blobs(const std::string& tenant, const std::string& prefix,
                                              int64_t limit, const std::string& after) {
  auto reader = database_->reader();
  // Paths sort by prefix: [prefix, prefix + U+10FFFF) covers exactly them.
  auto query = reader->prepare(
      "SELECT path, content_type, size, updated_at FROM blobs WHERE tenant = ?5 AND path >= ?1"
      " AND path < ?2 AND path > ?4 ORDER BY path LIMIT ?3");
  query.bind(1, prefix).bind(2, prefix + "\xf4\x8f\xbf\xbf").bind(3, limit).bind(4, after).bind(5, tenant);
  std::vector<Blob> blobs;
  while (query.step())
    blobs.push_back({query.text(0), query.text(1), "", query.int64(2), query.int64(3)});
  return blobs;
}

bool SqliteBlobStore::delete_blob(const std::string& tenant, const std::string& path) {
  auto writer = database_->writer();
  writer->prepare("DELETE FROM blobs WHERE tenant = ?2 AND path = ?1").bind(1, path).bind(2, tenant).run();
  return writer->changes() > 0;
}

}  // namespace weft::engine
