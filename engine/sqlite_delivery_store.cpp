// SqliteDeliveryStore: the webhook delivery audit (table webhook_deliveries).
#include "engine/sqlite_store.hpp"

#include "engine/sqlite_db.hpp"

namespace weft::engine {

// Inside commit(): the writer's transaction is open.
void append_delivery(sqlite::Connection& db, const WebhookDelivery& d) {
  db.prepare("INSERT INTO webhook_deliveries(route, workflow, provider, verified, dedup_key,"
                   " dedup_hit, run_id, status, outcome, error, duration_us, remote, received_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")
      .bind(1, d.route).bind(2, d.workflow).bind(3, d.provider)
      .bind(4, static_cast<int64_t>(d.verified)).bind(5, d.dedup_key)
      .bind(6, static_cast<int64_t>(d.dedup_hit)).bind(7, d.run_id)
      .bind(8, static_cast<int64_t>(d.status)).bind(9, d.outcome).bind(10, d.error)
      .bind(11, d.duration_us).bind(12, d.remote).bind(13, d.received_at)
      .run();
}

std::vector<WebhookDelivery> SqliteDeliveryStore::list_deliveries(const DeliveryFilter& filter) {
  auto reader = database_->reader();
  auto query = reader->prepare(
      "SELECT id, route, workflow, provider, verified, dedup_key, dedup_hit, run_id, status,"
      " outcome, error, duration_us, remote, received_at FROM webhook_deliveries"
      " WHERE (?1 = '' OR route = ?1) AND (?2 = 0 OR status = ?2) AND (?3 = 0 OR id < ?3)"
      " AND (?5 = '' OR run_id IN (SELECT id FROM runs WHERE tenant = ?5))"
      " ORDER BY id DESC LIMIT ?4");
  query.bind(1, filter.route).bind(2, static_cast<int64_t>(filter.status))
      .bind(3, filter.before_id).bind(4, filter.limit).bind(5, filter.tenant);
  std::vector<WebhookDelivery> out;
  while (query.step())
    out.push_back({query.int64(0), query.text(1), query.text(2), query.text(3), query.int64(4) != 0,
                   query.text(5), query.int64(6) != 0, query.text(7),
                   static_cast<int>(query.int64(8)), query.text(9), query.text(10), query.int64(11),
                   query.text(12), query.int64(13)});
  return out;
}

}  // namespace weft::engine
