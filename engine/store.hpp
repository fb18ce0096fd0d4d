// Everything a storage backend provides, split by concern: each interface
// below can be implemented on its own, and code that needs one concern
// takes that interface, not Store. SqliteStore (store_sqlite.hpp) is the
// embedded implementation of all of them over one connection.
// Writes to runs go through RunStore::commit (see run_store.hpp).
#pragma once
#include "engine/blob_store.hpp"
#include "engine/document_store.hpp"
#include "engine/run_store.hpp"
#include "engine/script_store.hpp"
#include "engine/secret_store.hpp"
#include "engine/webhook_delivery_store.hpp"

namespace weft::engine {

class Store : public RunStore,
              public ScriptStore,
              public DocumentStore,
              public BlobStore,
              public SecretStore,
              public WebhookDeliveryStore {};

}  // namespace weft::engine
