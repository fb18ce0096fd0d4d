// Everything a storage backend provides, split by concern: each interface
// below can be implemented on its own, and code that needs one concern
// takes that interface. A Store is one implementation of each, put
// together by open_store (store_open.hpp); they need not share a backend
// (blobs may live apart from runs). sqlite_store.hpp is the embedded
// implementation of all of them over one SQLite file.
// Writes to runs go through RunStore::commit (see run_store.hpp).
#pragma once
#include <memory>

#include "engine/blob_store.hpp"
#include "engine/document_store.hpp"
#include "engine/rate_limit_store.hpp"
#include "engine/run_store.hpp"
#include "engine/script_store.hpp"
#include "engine/secret_store.hpp"
#include "engine/webhook_delivery_store.hpp"

namespace weft::engine {

struct StoreParts {
  std::unique_ptr<RunStore> runs;
  std::unique_ptr<ScriptStore> scripts;
  std::unique_ptr<DocumentStore> documents;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<SecretStore> secrets;
  std::unique_ptr<WebhookDeliveryStore> deliveries;
  std::unique_ptr<RateLimitStore> limits;
};

class Store {
 public:
  // Every part must be set.
  explicit Store(StoreParts parts);

  RunStore& runs() { return *parts_.runs; }
  ScriptStore& scripts() { return *parts_.scripts; }
  DocumentStore& documents() { return *parts_.documents; }
  BlobStore& blobs() { return *parts_.blobs; }
  SecretStore& secrets() { return *parts_.secrets; }
  WebhookDeliveryStore& deliveries() { return *parts_.deliveries; }
  RateLimitStore& limits() { return *parts_.limits; }

 private:
  StoreParts parts_;
};

}  // namespace weft::engine
