// The embedded default store: one SQLite file in WAL mode. One connection
// writes (commit, claims, deliveries), another reads; WAL lets reads run
// beside the writer.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "engine/store.hpp"

namespace weft::engine {

namespace sqlite {
class Connection;
}

struct SqliteOptions {
  bool synchronous_full = true;  // each commit fsynced before it returns
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path, SqliteOptions options = {});
  ~SqliteStore() override;

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
  int64_t next_wake_at(const std::string& root_id) override;
  DeliverOutcome deliver_event(const std::string& run_id, const std::string& name,
                               const nlohmann::json& payload, int64_t now) override;
  CancelOutcome request_cancel(const std::string& run_id, int64_t now) override;
  bool redrive(const RedriveRequest& request) override;
  void put_script(const std::string& hash, const std::string& workflow,
                  const std::string& source) override;
  std::optional<std::string> get_script(const std::string& hash) override;

  PutResult put_document(const std::string& collection, const std::string& id,
                         const nlohmann::json& doc, int64_t if_version, int64_t now) override;
  std::optional<Document> get_document(const std::string& collection,
                                       const std::string& id) override;
  bool delete_document(const std::string& collection, const std::string& id) override;
  std::vector<Document> find_documents(const std::string& collection,
                                       const DocumentQuery& query) override;
  void put_blob(const Blob& blob) override;
  std::optional<Blob> get_blob(const std::string& path) override;
  std::vector<Blob> list_blobs(const std::string& prefix, int64_t limit) override;
  bool delete_blob(const std::string& path) override;
  void put_secret(const std::string& name, const std::string& ciphertext, int64_t now) override;
  std::optional<std::string> get_secret(const std::string& name) override;
  std::vector<std::string> secret_names() override;
  bool delete_secret(const std::string& name) override;
  void replace_secrets(const std::vector<std::pair<std::string, std::string>>& sealed,
                       int64_t now) override;
  std::vector<WebhookDelivery> list_deliveries(const DeliveryFilter& filter) override;

 private:
  bool apply(const Mutation& mutation);  // false: an insert was ignored (duplicate)
  void append_delivery(const WebhookDelivery& delivery);
  std::map<std::string, std::string> lease_owners_of(const std::vector<RunWrite>& writes);
  void ensure_index(const std::vector<std::string>& fields);

  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::set<std::string> made_indexes_;  // document indexes made (under write_mutex_)
  std::mutex read_mutex_;
  std::unique_ptr<sqlite::Connection> reader_;
};

}  // namespace weft::engine
