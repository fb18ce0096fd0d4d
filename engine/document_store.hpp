// Storage of weft.store documents. Part of Store (store.hpp).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
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

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  // Documents (weft.store). Throws std::invalid_argument for a bad query.
  virtual PutResult put_document(const std::string& collection, const std::string& id,
                                 const nlohmann::json& doc, int64_t if_version, int64_t now) = 0;
  virtual std::optional<Document> get_document(const std::string& collection,
                                               const std::string& id) = 0;
  virtual bool delete_document(const std::string& collection, const std::string& id) = 0;
  virtual std::vector<Document> find_documents(const std::string& collection,
                                               const DocumentQuery& query) = 0;
};

}  // namespace weft::engine
