// The embedded default backend: every storage concern on one SQLite file.
// One class per concern, all over one shared SqliteDatabase (its writer
// connection is the one the group committer's batches go through), opened
// together by open_sqlite_store.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/sqlite_database.hpp"
#include "engine/store.hpp"

namespace weft::engine {

using SharedSqlite = std::shared_ptr<SqliteDatabase>;

class SqliteRunStore final : public RunStore {
 public:
  explicit SqliteRunStore(SharedSqlite database) : database_(std::move(database)) {}

  std::vector<bool> commit(const std::vector<RunWrite>& writes) override;
  std::optional<Run> get_run(const std::string& id) override;
  std::optional<Run> find_run_by_idempotency(const std::string& workflow,
                                             const std::string& tenant,
                                             const std::string& key) override;
  std::vector<Run> list_runs(const RunFilter& filter) override;
  std::vector<HistoryEvent> history(const std::string& run_id) override;
  HistoryPage history_page(const std::string& run_id, int64_t after_seq, int64_t limit) override;
  std::vector<InboxEvent> unconsumed_inbox(const std::string& run_id) override;
  std::vector<Run> claim_due(const ClaimRequest& request) override;
  std::vector<std::string> renew_leases(const std::string& owner,
                                        const std::vector<std::string>& ids,
                                        int64_t expires) override;
  std::vector<std::string> lease_owners() override;
  void break_leases(const std::string& owner) override;
  RunCensus run_census(int64_t now) override;
  QueueStats queue_stats(const QueueSpec& queue, int64_t now) override;
  void release_undeclared_queues(const std::vector<QueueSpec>& declared) override;
  DeliverOutcome deliver_event(const std::string& run_id, const std::string& name,
                               const nlohmann::json& payload, int64_t now) override;
  CancelOutcome request_cancel(const std::string& run_id, int64_t now) override;
  bool redrive(const RedriveRequest& request) override;

 private:
  // Inside a writer transaction. False: an insert was ignored (duplicate).
  static bool apply(sqlite::Connection& db, const Mutation& mutation);
  static bool insert_run(sqlite::Connection& db, const Run& run);
  static std::vector<QueueSpec> queues_with_due_runs(sqlite::Connection& db, const QueueSpec& declared,
                                                      int64_t now);
  static int64_t active_in_queue(sqlite::Connection& db, const QueueSpec& queue);
  static std::vector<Run> claim_queued(sqlite::Connection& db, const QueueSpec& queue,
                                       const ClaimRequest& request, int limit);
  static std::map<std::string, std::string> lease_owners_of(sqlite::Connection& db,
                                                            const std::vector<RunWrite>& writes);

  SharedSqlite database_;
};

class SqliteScriptStore final : public ScriptStore {
 public:
  explicit SqliteScriptStore(SharedSqlite database) : database_(std::move(database)) {}

  void put_version(const ScriptVersion& version) override;
  std::optional<ScriptVersion> get_version(const std::string& hash) override;

 private:
  SharedSqlite database_;
};

class SqliteDocumentStore final : public DocumentStore {
 public:
  explicit SqliteDocumentStore(SharedSqlite database) : database_(std::move(database)) {}

  using DocumentStore::delete_document;
  using DocumentStore::find_documents;
  using DocumentStore::get_document;
  using DocumentStore::put_document;
  PutResult put_document(const std::string& tenant, const std::string& collection,
                         const std::string& id, const nlohmann::json& doc, int64_t if_version,
                         int64_t now) override;
  std::optional<Document> get_document(const std::string& tenant, const std::string& collection,
                                       const std::string& id) override;
  bool delete_document(const std::string& tenant, const std::string& collection,
                       const std::string& id) override;
  std::vector<Document> find_documents(const std::string& tenant, const std::string& collection,
                                       const DocumentQuery& query) override;

 private:
  void ensure_index(const std::vector<std::string>& fields);

  SharedSqlite database_;
  std::set<std::string> made_indexes_;  // document indexes made (under the writer's lock)
};

class SqliteBlobStore final : public BlobStore {
 public:
  explicit SqliteBlobStore(SharedSqlite database) : database_(std::move(database)) {}

  void put_blob(const std::string& tenant, const Blob& blob) override;
  std::optional<Blob> get_blob(const std::string& tenant, const std::string& path) override;
  std::vector<Blob> list_blobs(const std::string& tenant, const std::string& prefix, int64_t limit,
                               const std::string& after) override;
  bool delete_blob(const std::string& tenant, const std::string& path) override;

 private:
  SharedSqlite database_;
};

class SqliteSecretStore final : public SecretStore {
 public:
  explicit SqliteSecretStore(SharedSqlite database) : database_(std::move(database)) {}

  void put_secret(const std::string& tenant, const SecretInfo& info,
                  const std::string& ciphertext) override;
  std::optional<std::string> get_secret(const std::string& tenant, const std::string& name) override;
  std::vector<SecretInfo> list_secrets(const std::string& tenant, const std::string& prefix) override;
  bool delete_secret(const std::string& tenant, const std::string& name) override;
  std::vector<SealedSecret> all_secrets() override;
  void replace_secrets(const std::vector<SealedSecret>& sealed) override;

 private:
  SharedSqlite database_;
};

// Deliveries are appended by SqliteRunStore::commit (AppendDelivery), in
// the batch's transaction: append_delivery is that write.
class SqliteDeliveryStore final : public WebhookDeliveryStore {
 public:
  explicit SqliteDeliveryStore(SharedSqlite database) : database_(std::move(database)) {}

  std::vector<WebhookDelivery> list_deliveries(const DeliveryFilter& filter) override;

 private:
  SharedSqlite database_;
};
void append_delivery(sqlite::Connection& db, const WebhookDelivery& delivery);

class SqliteRateLimitStore final : public RateLimitStore {
 public:
  explicit SqliteRateLimitStore(SharedSqlite database) : database_(std::move(database)) {}

  void update_limits(const std::vector<std::string>& keys, int64_t now,
                     const std::function<void(States&)>& update) override;
  std::vector<std::pair<std::string, nlohmann::json>> list_limits(int64_t limit) override;
  void prune_limits(int64_t before) override;

 private:
  SharedSqlite database_;
};

// Every concern on the SQLite file at `path` (created and migrated if new).
std::unique_ptr<Store> open_sqlite_store(const std::string& path, SqliteOptions options = {});

}  // namespace weft::engine
