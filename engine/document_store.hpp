// Storage of weft.store documents. Part of Store (store.hpp).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine {

// weft.store documents: JSON values in named collections, versioned for
// compare-and-set.
struct Document {
  std::string id;
  nlohmann::json doc;
  int64_t version = 0;
  int64_t updated_at = 0;
};

// find(): `where` maps field paths ("status", "owner.id") to a value
// (equality) or to operators { eq, ne, lt, lte, gt, gte, in }; `order`
// lists field paths, "-field" for descending. Fields used here are indexed.
struct DocumentQuery {
  nlohmann::json where = nlohmann::json::object();
  std::vector<std::string> order;
  int64_t limit = 100;
};

// put(): -1 = no condition; 0 = only if absent; n = only if at version n.
struct PutResult {
  bool conflict = false;
  int64_t version = 0;         // the new version, or the current one on conflict
};

// Collections named "weft.*" hold the engine's own state (schedules) in the
// shared namespace; weft.store refuses them in every namespace.
inline bool reserved_collection(std::string_view collection) {
  return collection.substr(0, 5) == "weft.";
}

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  // Documents (weft.store) of one tenant's namespace (engine/tenant.hpp;
  // kSharedTenant: the shared one): another tenant's are out of reach.
  // Throws std::invalid_argument for a bad query.
  virtual PutResult put_document(const std::string& tenant, const std::string& collection,
                                 const std::string& id, const nlohmann::json& doc,
                                 int64_t if_version, int64_t now) = 0;
  virtual std::optional<Document> get_document(const std::string& tenant,
                                               const std::string& collection,
                                               const std::string& id) = 0;
  virtual bool delete_document(const std::string& tenant, const std::string& collection,
                               const std::string& id) = 0;
  virtual std::vector<Document> find_documents(const std::string& tenant,
                                               const std::string& collection,
                                               const DocumentQuery& query) = 0;

  // The same in the shared namespace, for the engine's own collections.
  PutResult put_document(const std::string& collection, const std::string& id,
                         const nlohmann::json& doc, int64_t if_version, int64_t now) {
    return put_document(std::string(), collection, id, doc, if_version, now);
  }
  std::optional<Document> get_document(const std::string& collection, const std::string& id) {
    return get_document(std::string(), collection, id);
  }
  bool delete_document(const std::string& collection, const std::string& id) {
    return delete_document(std::string(), collection, id);
  }
  std::vector<Document> find_documents(const std::string& collection, const DocumentQuery& query) {
    return find_documents(std::string(), collection, query);
  }
};

}  // namespace weft::engine
