// SqliteRunStore: runs, history, inbox and leases on the shared SQLite
// database (see run_store.hpp for the contract). JSON values are stored as
// text; times as integer ms.
#include "engine/sqlite_store.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "engine/json_limits.hpp"
#include "engine/sqlite_db.hpp"

namespace weft::engine {
namespace {

using sqlite::Statement;
using nlohmann::json;

// Writing never throws on a string that is not UTF-8 and reading refuses
// what would overflow the stack (see json_limits.hpp): a stored value can
// neither fail a commit nor crash a reader.
std::string dump_or_empty(const json& value) { return value.is_null() ? "" : dump_json(value); }

json parse_or_null(const Statement& row, int column) {
  if (row.is_null(column)) return nullptr;
  std::string text = row.text(column);
  return text.empty() ? json(nullptr) : parse_json(text, kMaxStoredJsonDepth);
}

Run read_run(const Statement& row) {
  Run run;
  run.id = row.text(0);
  run.workflow = row.text(1);
  run.script_hash = row.text(2);
  run.input = parse_or_null(row, 3);
  run.status = run_status_from(row.text(4)).value_or(RunStatus::Failed);
  run.result = parse_or_null(row, 5);
  run.error = parse_or_null(row, 6);
  run.created_at = row.int64(7);
  run.updated_at = row.int64(8);
  run.tenant = row.text(9);
  run.idempotency_key = row.text(10);
  run.parent_id = row.text(11);
  run.parent_seq = row.int64(12);
  run.root_id = row.text(13);
  run.wake_at = row.int64(14);
  run.deadline = row.int64(15);
  run.lease_owner = row.text(16);
  run.lease_expires = row.int64(17);
  run.cancel_requested = row.int64(18) != 0;
  run.crashes = row.int64(19);
  run.forked_from = row.text(20);
  run.forked_seq = row.int64(21);
  run.imported_from = row.text(22);
  run.started_by = row.text(23);
  run.queue = row.text(24);
  run.priority = row.int64(25);
  run.admitted = row.int64(26) != 0;
  return run;
}

HistoryEvent read_event(const Statement& row) {
  HistoryEvent e;
  e.run_id = row.text(0);
  e.seq = row.int64(1);
  e.attempt = static_cast<int>(row.int64(2));
  e.kind = event_kind_from(row.text(3)).value_or(EventKind::Step);
  e.name = row.text(4);
  e.status = event_status_from(row.text(5)).value_or(EventStatus::Failed);
  e.started_at = row.int64(6);
  e.ended_at = row.int64(7);
  e.fire_at = row.int64(8);
  e.result = parse_or_null(row, 9);
  e.error = parse_or_null(row, 10);
  e.path = row.text(11);
  e.location = row.text(12);
  e.fingerprint = row.text(13);
  e.step_key_read = row.int64(14) != 0;
  return e;
}

std::vector<Run> read_runs(Statement query) {
  std::vector<Run> runs;
  while (query.step()) runs.push_back(read_run(query));
  return runs;
}

#define RUN_COLUMNS                                                                           \
  "id, workflow, script_hash, input, status, result, error, created_at, updated_at, tenant, " \
  "idempotency_key, parent_id, parent_seq, root_id, wake_at, deadline, lease_owner, "        \
  "lease_expires, cancel_requested, crashes, forked_from, forked_seq, imported_from, started_by, " \
  "queue, priority, admitted"
#define UNFINISHED "status IN ('pending','running','sleeping','waiting')"
#define HISTORY_SELECT                                                                       \
  "SELECT run_id, seq, attempt, kind, name, status, started_at, ended_at, fire_at, result," \
  " error, path, location, fingerprint, step_key_read FROM history"

}  // namespace

// OR IGNORE: a duplicate id or idempotency key must not fail the other
// runs' writes in its batch; false tells the caller it was not inserted.
bool SqliteRunStore::insert_run(sqlite::Connection& db, const Run& r) {
  db.prepare("INSERT OR IGNORE INTO runs(" RUN_COLUMNS
             ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,"
             "?24,?25,?26,?27)")
      .bind(1, r.id).bind(2, r.workflow).bind(3, r.script_hash).bind(4, dump_json(r.input))
      .bind(5, to_string(r.status)).bind(6, dump_or_empty(r.result))
      .bind(7, dump_or_empty(r.error)).bind(8, r.created_at).bind(9, r.updated_at)
      .bind(10, r.tenant).bind(11, r.idempotency_key).bind(12, r.parent_id)
      .bind(13, r.parent_seq).bind(14, r.root_id).bind(15, r.wake_at).bind(16, r.deadline)
      .bind(17, r.lease_owner).bind(18, r.lease_expires)
      .bind(19, static_cast<int64_t>(r.cancel_requested)).bind(20, r.crashes)
      .bind(21, r.forked_from).bind(22, r.forked_seq).bind(23, r.imported_from)
      .bind(24, r.started_by).bind(25, r.queue).bind(26, r.priority)
      .bind(27, int64_t{0})  // a new run has no slot yet, whatever it was copied from
      .run();
  return db.changes() > 0;
}

bool SqliteRunStore::apply(sqlite::Connection& db, const Mutation& mutation) {
  if (const auto* insert = std::get_if<InsertRun>(&mutation)) {
    return insert_run(db, insert->run);
  } else if (const auto* start = std::get_if<StartRun>(&mutation)) {
    HistoryEvent event = start->event;
    if (!insert_run(db, start->run)) {  // the key names a run already: the call names it
      auto existing = db.prepare("SELECT id FROM runs WHERE workflow = ?1 AND tenant = ?2 AND"
                                 " idempotency_key = ?3 AND idempotency_key != ''");
      existing.bind(1, start->run.workflow).bind(2, start->run.tenant).bind(3, start->run.idempotency_key);
      if (!existing.step()) return false;  // its id was taken: cannot happen with a fresh id
      event.result = {{"run_id", existing.text(0)}, {"existing", true}};
      existing.reset();
    }
    return apply(db, PutEvent{std::move(event)});
  } else if (const auto* update = std::get_if<UpdateRun>(&mutation)) {
    int64_t wake_at = update->wake_at;
    if (update->status == RunStatus::Waiting)
      for (const auto& name : update->await_events) {
        auto query = db.prepare(
            "SELECT 1 FROM inbox WHERE run_id = ?1 AND name = ?2 AND consumed_seq IS NULL LIMIT 1");
        query.bind(1, update->id).bind(2, name);
        bool arrived = query.step();
        query.reset();
        if (arrived) {
          wake_at = update->updated_at;
          break;
        }
      }
    // A cancel requested while the run held its lease must not be parked
    // away: a parked run with cancel_requested is due at once, and its
    // resume ends it cancelled.
    db.prepare(
          "UPDATE runs SET status = ?2, result = ?3, error = ?4,"
          " wake_at = CASE WHEN ?7 AND cancel_requested AND ?2 IN ('sleeping','waiting')"
          " THEN ?6 ELSE ?5 END, updated_at = ?6,"
          " lease_owner = CASE WHEN ?7 THEN '' ELSE lease_owner END,"
          " lease_expires = CASE WHEN ?7 THEN 0 ELSE lease_expires END WHERE id = ?1")
        .bind(1, update->id).bind(2, to_string(update->status))
        .bind(3, dump_or_empty(update->result)).bind(4, dump_or_empty(update->error))
        .bind(5, wake_at).bind(6, update->updated_at)
        .bind(7, static_cast<int64_t>(update->release_lease))
        .run();
  } else if (const auto* put = std::get_if<PutEvent>(&mutation)) {
    const HistoryEvent& e = put->event;
    // An event without a path (a child's end, written by the child's
    // executor, which knows only the parent's seq) keeps the path, source
    // location and fingerprint of the pending event it completes.
    db.prepare("INSERT INTO history(run_id, seq, attempt, kind, name, status,"
               " started_at, ended_at, fire_at, result, error, path, location, fingerprint, step_key_read)"
               " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,COALESCE(NULLIF(?12,''),CAST(?2 AS TEXT)),"
               "?13,?14,?15)"
               " ON CONFLICT(run_id, seq, attempt) DO UPDATE SET kind = excluded.kind,"
               " name = excluded.name, status = excluded.status, started_at = excluded.started_at,"
               " ended_at = excluded.ended_at, fire_at = excluded.fire_at, result = excluded.result,"
               " error = excluded.error,"
               " path = CASE WHEN ?12 = '' THEN history.path ELSE excluded.path END,"
               " location = CASE WHEN ?12 = '' THEN history.location ELSE excluded.location END,"
               " fingerprint = CASE WHEN ?12 = '' THEN history.fingerprint"
               " ELSE excluded.fingerprint END, step_key_read = excluded.step_key_read")
        .bind(1, e.run_id).bind(2, e.seq).bind(3, static_cast<int64_t>(e.attempt))
        .bind(4, to_string(e.kind)).bind(5, e.name).bind(6, to_string(e.status))
        .bind(7, e.started_at).bind(8, e.ended_at).bind(9, e.fire_at)
        .bind(10, dump_or_empty(e.result)).bind(11, dump_or_empty(e.error))
        .bind(12, e.path).bind(13, e.location).bind(14, e.fingerprint)
        .bind(15, static_cast<int64_t>(e.step_key_read))
        .run();
  } else if (const auto* consume = std::get_if<ConsumeInbox>(&mutation)) {
    db.prepare("UPDATE inbox SET consumed_seq = ?3 WHERE id = ?2 AND run_id = ?1")
        .bind(1, consume->run_id).bind(2, consume->inbox_id).bind(3, consume->seq)
        .run();
  } else if (const auto* wake = std::get_if<WakeRun>(&mutation)) {
    db.prepare("UPDATE runs SET wake_at = ?2, updated_at = ?2 WHERE id = ?1 AND "
               "status IN ('sleeping','waiting')")
        .bind(1, wake->id).bind(2, wake->at)
        .run();
  } else if (const auto* append = std::get_if<AppendDelivery>(&mutation)) {
    append_delivery(db, append->delivery);
  }
  return true;
}

// The current lease owner of every run a fenced write names, in one
// statement for the whole batch (a lookup per write was a third of the
// writer's statements). The ids go in as one JSON array so the statement
// is prepared once, whatever the batch's size.
std::map<std::string, std::string> SqliteRunStore::lease_owners_of(sqlite::Connection& db,
                                                                   const std::vector<RunWrite>& writes) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& write : writes)
    if (!write.fence_owner.empty()) ids.push_back(write.run_id);
  std::map<std::string, std::string> owners;
  if (ids.empty()) return owners;
  auto query = db.prepare(
      "SELECT id, lease_owner FROM runs WHERE id IN (SELECT value FROM json_each(?1))");
  query.bind(1, dump_json(ids));
  while (query.step()) owners[query.text(0)] = query.text(1);
  return owners;
}

std::vector<bool> SqliteRunStore::commit(const std::vector<RunWrite>& writes) {
  auto writer = database_->writer();
  std::vector<bool> applied(writes.size(), true);
  sqlite::Transaction tx(*writer);
  auto owners = lease_owners_of(*writer, writes);
  for (size_t i = 0; i < writes.size(); ++i) {
    const RunWrite& write = writes[i];
    if (!write.fence_owner.empty()) {
      auto it = owners.find(write.run_id);
      if (it == owners.end() || it->second != write.fence_owner) {
        applied[i] = false;
        continue;
      }
    }
    for (const auto& mutation : write.mutations)
      if (!apply(*writer, mutation)) applied[i] = false;
  }
  tx.commit();
  return applied;
}

std::optional<Run> SqliteRunStore::find_run_by_idempotency(const std::string& workflow,
                                                        const std::string& tenant,
                                                        const std::string& key) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT " RUN_COLUMNS
                                " FROM runs WHERE workflow = ?1 AND tenant = ?2 AND"
                                " idempotency_key = ?3 AND idempotency_key != ''");
  query.bind(1, workflow).bind(2, tenant).bind(3, key);
  if (!query.step()) return std::nullopt;
  Run run = read_run(query);
  query.reset();
  return run;
}

std::optional<Run> SqliteRunStore::get_run(const std::string& id) {
  auto reader = database_->reader();
  auto query = reader->prepare("SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  Run run = read_run(query);
  query.reset();
  return run;
}

// Only the filters given become conditions, so that SQLite can pick the
// index that serves them (runs_status, runs_workflow, runs_tenant and
// runs_created all end in created_at, id: the order needs no sort).
std::vector<Run> SqliteRunStore::list_runs(const RunFilter& filter) {
  std::string where = "1";
  if (filter.status) where += " AND status = ?1";
  if (!filter.workflow.empty()) where += " AND workflow = ?2";
  if (!filter.root_id.empty()) where += " AND root_id = ?3";
  if (filter.tenant) where += " AND tenant = ?4";
  if (filter.created_since) where += " AND created_at >= ?5";
  if (filter.unfinished_only) where += " AND " UNFINISHED;
  if (filter.top_level_only) where += " AND parent_id = ''";
  if (!filter.forked_from.empty()) where += " AND forked_from = ?9";
  if (!filter.started_by.empty()) where += " AND started_by = ?10";
  const char* direction = filter.newest_first ? " DESC" : "";
  if (filter.after) where += filter.newest_first ? " AND (created_at, id) < (?6, ?7)"
                                                 : " AND (created_at, id) > (?6, ?7)";
  std::string sql = "SELECT " RUN_COLUMNS " FROM runs WHERE " + where + " ORDER BY created_at" +
                    direction + ", id" + direction + " LIMIT ?8";
  auto reader = database_->reader();
  sqlite::OneShotStatement query(*reader, sql);
  Statement& q = query.get();
  if (filter.status) q.bind(1, to_string(*filter.status));
  if (!filter.workflow.empty()) q.bind(2, filter.workflow);
  if (!filter.root_id.empty()) q.bind(3, filter.root_id);
  if (filter.tenant) q.bind(4, *filter.tenant);
  if (filter.created_since) q.bind(5, filter.created_since);
  if (filter.after) q.bind(6, filter.after->created_at).bind(7, filter.after->id);
  q.bind(8, filter.limit);
  if (!filter.forked_from.empty()) q.bind(9, filter.forked_from);
  if (!filter.started_by.empty()) q.bind(10, filter.started_by);
  std::vector<Run> runs;
  while (q.step()) runs.push_back(read_run(q));
  return runs;
}

std::vector<HistoryEvent> SqliteRunStore::history(const std::string& run_id) {
  auto reader = database_->reader();
  auto query = reader->prepare(HISTORY_SELECT " WHERE run_id = ?1 ORDER BY seq, attempt");
  query.bind(1, run_id);
  std::vector<HistoryEvent> events;
  while (query.step()) events.push_back(read_event(query));
  return events;
}

HistoryPage SqliteRunStore::history_page(const std::string& run_id, int64_t after_seq, int64_t limit) {
  if (limit < 1) limit = 1;
  auto reader = database_->reader();
  auto query = reader->prepare(HISTORY_SELECT
                                " WHERE run_id = ?1 AND seq > ?2 ORDER BY seq, attempt LIMIT ?3");
  query.bind(1, run_id).bind(2, after_seq).bind(3, limit + 1);
  HistoryPage page;
  while (query.step()) page.events.push_back(read_event(query));
  if (static_cast<int64_t>(page.events.size()) <= limit) return page;
  page.more = true;
  int64_t split = page.events.back().seq;  // the row after the page: is its seq cut in two?
  page.events.pop_back();
  if (page.events.back().seq != split) return page;
  while (!page.events.empty() && page.events.back().seq == split) page.events.pop_back();
  if (!page.events.empty()) return page;
  // One seq has more attempts than `limit`: it comes whole.
  auto whole = reader->prepare(HISTORY_SELECT " WHERE run_id = ?1 AND seq = ?2 ORDER BY attempt");
  whole.bind(1, run_id).bind(2, split);
  while (whole.step()) page.events.push_back(read_event(whole));
  auto after = reader->prepare("SELECT 1 FROM history WHERE run_id = ?1 AND seq > ?2 LIMIT 1");
  after.bind(1, run_id).bind(2, split);
  page.more = after.step();
  return page;
}

std::vector<InboxEvent> SqliteRunStore::unconsumed_inbox(const std::string& run_id) {
  auto reader = database_->reader();
  auto query = reader->prepare(
      "SELECT id, run_id, name, payload, created_at FROM inbox"
      " WHERE run_id = ?1 AND consumed_seq IS NULL ORDER BY id");
  query.bind(1, run_id);
  std::vector<InboxEvent> events;
  while (query.step()) {
    events.push_back({query.int64(0), query.text(1), query.text(2), parse_or_null(query, 3),
                      query.int64(4)});
  }
  return events;
}

std::vector<Run> SqliteRunStore::claim_due(const ClaimRequest& request) {
  auto writer = database_->writer();
  RelaxedSync relaxed(*writer, database_->synced());
  sqlite::Transaction tx(*writer);
  auto query = writer->prepare(
      // A run claimed while 'running' was executing when its owner died.
      "UPDATE runs SET status = 'running', lease_owner = ?1, lease_expires = ?2, updated_at = ?3,"
      " crashes = crashes + (status = 'running')"
      " WHERE id IN (SELECT id FROM runs WHERE " UNFINISHED " AND wake_at > 0 AND wake_at <= ?3"
      " AND queue = '' AND (lease_owner = '' OR lease_expires < ?3) AND (?5 = '' OR root_id = ?5)"
      " ORDER BY wake_at LIMIT ?4) RETURNING " RUN_COLUMNS);
  query.bind(1, request.owner).bind(2, request.now + request.lease_ms).bind(3, request.now)
      .bind(4, static_cast<int64_t>(request.limit)).bind(5, request.root_id);
  std::vector<Run> runs = read_runs(query);
  for (const auto& declared : request.queues) {
    for (const auto& queue : queues_with_due_runs(*writer, declared, request.now)) {
      if (runs.size() >= static_cast<size_t>(request.limit)) break;
      auto admitted = claim_queued(*writer, queue, request, request.limit - static_cast<int>(runs.size()));
      std::move(admitted.begin(), admitted.end(), std::back_inserter(runs));
    }
  }
  tx.commit();
  return runs;
}

// A weft.queue is one queue; a per-key concurrency is a queue per key,
// those with due runs found in the spec's range of names.
std::vector<QueueSpec> SqliteRunStore::queues_with_due_runs(sqlite::Connection& db, const QueueSpec& declared,
                                                            int64_t now) {
  if (declared.key_path.empty()) return {declared};
  auto [first, last] = queue_range(declared);
  auto keys = db.prepare("SELECT DISTINCT queue FROM runs WHERE queue >= ?1 AND queue < ?2 AND queue != ''"
                         " AND wake_at > 0 AND wake_at <= ?3 AND " UNFINISHED);
  keys.bind(1, first).bind(2, last).bind(3, now);
  std::vector<QueueSpec> out;
  while (keys.step()) {
    QueueSpec concrete = declared;
    concrete.name = keys.text(0);
    concrete.key_path.clear();
    out.push_back(std::move(concrete));
  }
  return out;
}

// Every query on a queue also says queue != '': SQLite uses a partial index
// (runs_queue_due, runs_queue_active) only when the query implies its
// condition, which a bound name does not.
// Every queue of the spec's range: one, or each key's of a per-key spec.
int64_t SqliteRunStore::active_in_queue(sqlite::Connection& db, const QueueSpec& queue) {
  auto active = db.prepare(
      queue.count_parked
          ? "SELECT COUNT(*) FROM runs WHERE queue >= ?1 AND queue < ?2 AND queue != '' AND " UNFINISHED " AND admitted"
          : "SELECT COUNT(*) FROM runs WHERE queue >= ?1 AND queue < ?2 AND queue != '' AND status = 'running'");
  auto [first, last] = queue_range(queue);
  active.bind(1, first).bind(2, last);
  active.step();
  int64_t count = active.int64(0);
  active.reset();
  return count;
}

// Inside claim_due's transaction, so the count and the admissions are one
// step for every process on the database. First the runs that hold a slot
// already (a lapsed lease; with count_parked, an admitted run waking), then
// new admissions into the free slots, by priority, then in insertion order.
std::vector<Run> SqliteRunStore::claim_queued(sqlite::Connection& db, const QueueSpec& queue,
                                              const ClaimRequest& request, int limit) {
  const char* claim =
      "UPDATE runs SET status = 'running', lease_owner = ?1, lease_expires = ?2, updated_at = ?3,"
      " crashes = crashes + (status = 'running'), admitted = 1"
      " WHERE id IN (SELECT id FROM runs WHERE queue = ?6 AND queue != '' AND wake_at > 0 AND wake_at <= ?3"
      " AND " UNFINISHED " AND (lease_owner = '' OR lease_expires < ?3) AND (?5 = '' OR root_id = ?5)"
      " AND (status = 'running' OR (?7 AND admitted)) = ?8"
      " ORDER BY priority DESC, rowid LIMIT ?4) RETURNING " RUN_COLUMNS;
  auto claim_where = [&](bool holding, int64_t count) {
    auto query = db.prepare(claim);
    query.bind(1, request.owner).bind(2, request.now + request.lease_ms).bind(3, request.now)
        .bind(4, count).bind(5, request.root_id).bind(6, queue.name)
        .bind(7, static_cast<int64_t>(queue.count_parked)).bind(8, static_cast<int64_t>(holding));
    return read_runs(std::move(query));
  };
  std::vector<Run> runs = claim_where(true, limit);
  int64_t free = queue.concurrency - active_in_queue(db, queue);
  int64_t room = std::min<int64_t>(free, limit - static_cast<int64_t>(runs.size()));
  if (room > 0) {
    auto admitted = claim_where(false, room);
    std::move(admitted.begin(), admitted.end(), std::back_inserter(runs));
  }
  return runs;
}

std::vector<std::string> SqliteRunStore::renew_leases(const std::string& owner,
                                                   const std::vector<std::string>& ids,
                                                   int64_t expires) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  std::vector<std::string> cancelled;
  for (const auto& id : ids) {
    auto query = writer->prepare(
        "UPDATE runs SET lease_expires = ?3 WHERE id = ?1 AND lease_owner = ?2"
        " RETURNING cancel_requested");
    query.bind(1, id).bind(2, owner).bind(3, expires);
    while (query.step())
      if (query.int64(0)) cancelled.push_back(id);
  }
  tx.commit();
  return cancelled;
}

std::vector<std::string> SqliteRunStore::lease_owners() {
  auto reader = database_->reader();
  auto query = reader->prepare(
      "SELECT DISTINCT lease_owner FROM runs WHERE lease_owner != ''");
  std::vector<std::string> owners;
  while (query.step()) owners.push_back(query.text(0));
  return owners;
}

void SqliteRunStore::break_leases(const std::string& owner) {
  auto writer = database_->writer();
  writer->prepare("UPDATE runs SET lease_owner = '', lease_expires = 0 WHERE lease_owner = ?1")
      .bind(1, owner)
      .run();
}

RunCensus SqliteRunStore::run_census(int64_t now) {
  auto reader = database_->reader();
  RunCensus census;
  // Runs still going, and failed ones (the dead letters): a range of the
  // status index, so a scrape never scans the completed bulk of the table.
  auto counts = reader->prepare(
      "SELECT workflow, status, COUNT(*) FROM runs"
      " WHERE status IN ('pending','running','sleeping','waiting','failed') GROUP BY workflow, status");
  while (counts.step()) census.runs[{counts.text(0), counts.text(1)}] = counts.int64(2);
  counts.reset();
  // A parked run has no lease; a due one that is leased is being claimed or run.
  // Each half is served by its own index (runs_due, runs_queue_due); a
  // queued run due but not admitted waits for its queue, not the scheduler.
  auto timers = reader->prepare(
      "SELECT (SELECT COUNT(*) FROM runs WHERE " UNFINISHED " AND wake_at > ?1 AND queue = ''"
      " AND lease_owner = '') + (SELECT COUNT(*) FROM runs WHERE " UNFINISHED " AND wake_at > ?1"
      " AND queue != '' AND lease_owner = ''),"
      " (SELECT MIN(wake_at) FROM runs WHERE " UNFINISHED " AND wake_at > 0 AND wake_at <= ?1 AND queue = ''"
      " AND (lease_owner = '' OR lease_expires < ?1))");
  timers.bind(1, now);
  if (timers.step()) {
    census.timers_pending = timers.int64(0);
    census.oldest_due_at = timers.int64(1);
  }
  timers.reset();
  return census;
}

void SqliteRunStore::release_undeclared_queues(const std::vector<QueueSpec>& declared) {
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& queue : declared) {
    auto [first, last] = queue_range(queue);
    ranges.push_back({first, last});
  }
  auto writer = database_->writer();
  writer->prepare("UPDATE runs SET queue = '' WHERE queue != '' AND " UNFINISHED
                  " AND NOT EXISTS (SELECT 1 FROM json_each(?1) AS r"
                  " WHERE runs.queue >= r.value ->> 0 AND runs.queue < r.value ->> 1)")
      .bind(1, dump_json(ranges))
      .run();
}

QueueStats SqliteRunStore::queue_stats(const QueueSpec& queue, int64_t now) {
  auto reader = database_->reader();
  QueueStats stats;
  stats.active = active_in_queue(*reader, queue);
  auto [first, last] = queue_range(queue);
  auto waiting = reader->prepare(
      "SELECT priority, COUNT(*), MIN(wake_at) FROM runs WHERE queue >= ?1 AND queue < ?3 AND queue != ''"
      " AND wake_at > 0 AND wake_at <= ?2 AND " UNFINISHED " AND status != 'running' GROUP BY priority");
  waiting.bind(1, first).bind(2, now).bind(3, last);
  while (waiting.step()) {
    stats.waiting_by_priority[waiting.int64(0)] = waiting.int64(1);
    stats.waiting += waiting.int64(1);
    int64_t since = waiting.int64(2);
    if (stats.oldest_waiting_since == 0 || since < stats.oldest_waiting_since) stats.oldest_waiting_since = since;
  }
  waiting.reset();
  auto delayed = reader->prepare("SELECT COUNT(*) FROM runs WHERE queue >= ?1 AND queue < ?3 AND queue != ''"
                                 " AND wake_at > ?2 AND status = 'pending' AND NOT admitted");
  delayed.bind(1, first).bind(2, now).bind(3, last);
  delayed.step();
  stats.delayed = delayed.int64(0);
  delayed.reset();
  return stats;
}

DeliverOutcome SqliteRunStore::deliver_event(const std::string& run_id, const std::string& name,
                                          const json& payload, int64_t now) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  auto status_query = writer->prepare("SELECT status FROM runs WHERE id = ?1");
  status_query.bind(1, run_id);
  if (!status_query.step()) return DeliverOutcome::NotFound;
  auto status = run_status_from(status_query.text(0));
  status_query.reset();
  if (status && is_finished(*status)) return DeliverOutcome::AlreadyFinished;
  writer->prepare("INSERT INTO inbox(run_id, name, payload, created_at) VALUES (?1,?2,?3,?4)")
      .bind(1, run_id).bind(2, name).bind(3, dump_json(payload)).bind(4, now)
      .run();
  writer->prepare("UPDATE runs SET wake_at = ?2, updated_at = ?2 WHERE id = ?1 AND"
                   " status = 'waiting' AND lease_owner = ''")
      .bind(1, run_id).bind(2, now)
      .run();
  tx.commit();
  return DeliverOutcome::Delivered;
}

CancelOutcome SqliteRunStore::request_cancel(const std::string& run_id, int64_t now) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  auto query = writer->prepare("SELECT status, lease_owner FROM runs WHERE id = ?1");
  query.bind(1, run_id);
  if (!query.step()) return CancelOutcome::NotFound;
  auto status = run_status_from(query.text(0));
  bool leased = !query.text(1).empty();
  query.reset();
  if (status && is_finished(*status)) return CancelOutcome::AlreadyFinished;
  if (leased) {
    writer->prepare("UPDATE runs SET cancel_requested = 1, updated_at = ?2 WHERE id = ?1")
        .bind(1, run_id).bind(2, now)
        .run();
    tx.commit();
    return CancelOutcome::Requested;
  }
  json error = {{"kind", "cancelled"}, {"message", "run cancelled"}, {"retryable", false}};
  writer->prepare("UPDATE runs SET status = 'cancelled', error = ?2, wake_at = 0,"
                   " cancel_requested = 1, updated_at = ?3 WHERE id = ?1")
      .bind(1, run_id).bind(2, dump_json(error)).bind(3, now)
      .run();
  tx.commit();
  return CancelOutcome::Cancelled;
}

bool SqliteRunStore::redrive(const RedriveRequest& request) {
  auto writer = database_->writer();
  sqlite::Transaction tx(*writer);
  writer->prepare("UPDATE runs SET status = 'pending', error = '', result = '', wake_at = ?2,"
                   " deadline = ?3, cancel_requested = 0, crashes = 0, lease_owner = '', lease_expires = 0,"
                   " admitted = 0,"
                   " updated_at = ?2, script_hash = CASE WHEN ?4 = '' THEN script_hash ELSE ?4 END"
                   " WHERE id = ?1 AND status = 'failed'")
      .bind(1, request.run_id).bind(2, request.now).bind(3, request.deadline)
      .bind(4, request.script_hash)
      .run();
  if (writer->changes() == 0) return false;
  for (const auto& marker : request.markers) apply(*writer, PutEvent{marker});
  tx.commit();
  return true;
}

}  // namespace weft::engine
