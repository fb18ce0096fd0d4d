// The schema of the SQLite store, as an ordered list of migrations. A new
// version appends a migration; applied ones are never edited.
#include "engine/sqlite_schema.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace weft::engine::sqlite {
namespace {

const std::vector<const char*> kMigrations = {
    // 1: runs, history, inbox, scripts
    R"sql(
CREATE TABLE scripts (
  hash TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  script_hash TEXT NOT NULL,
  input TEXT NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  tenant TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT NOT NULL DEFAULT '',
  parent_id TEXT NOT NULL DEFAULT '',
  parent_seq INTEGER NOT NULL DEFAULT 0,
  root_id TEXT NOT NULL,
  wake_at INTEGER NOT NULL DEFAULT 0,
  deadline INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_due ON runs(wake_at)
  WHERE status IN ('pending','running','sleeping','waiting') AND wake_at > 0;
CREATE INDEX runs_status ON runs(status, created_at);
CREATE INDEX runs_workflow ON runs(workflow, created_at);
CREATE INDEX runs_root ON runs(root_id);
CREATE INDEX runs_lease ON runs(lease_owner) WHERE lease_owner != '';
CREATE UNIQUE INDEX runs_idempotency ON runs(workflow, idempotency_key)
  WHERE idempotency_key != '';
CREATE TABLE history (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  fire_at INTEGER NOT NULL,
  result TEXT,
  error TEXT,
  PRIMARY KEY (run_id, seq, attempt)
) WITHOUT ROWID;
CREATE TABLE inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  consumed_seq INTEGER
);
CREATE INDEX inbox_run ON inbox(run_id, consumed_seq);
)sql",
    // 2: documents, blobs, secrets
    R"sql(
CREATE TABLE documents (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE blobs (
  path TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  size INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  ciphertext BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 3: run listing newest first with a (created_at, id) cursor, by
    // tenant; idempotency keys scoped by tenant
    R"sql(
DROP INDEX runs_status;
DROP INDEX runs_workflow;
DROP INDEX runs_idempotency;
CREATE INDEX runs_created ON runs(created_at, id);
CREATE INDEX runs_status ON runs(status, created_at, id);
CREATE INDEX runs_workflow ON runs(workflow, created_at, id);
CREATE INDEX runs_tenant ON runs(tenant, created_at, id);
CREATE UNIQUE INDEX runs_idempotency ON runs(workflow, tenant, idempotency_key)
  WHERE idempotency_key != '';

)sql",
    // 4: webhook delivery audit
    R"sql(
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  route TEXT NOT NULL,
  workflow TEXT NOT NULL,
  provider TEXT NOT NULL,
  verified INTEGER NOT NULL,
  dedup_key TEXT NOT NULL,
  dedup_hit INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT NOT NULL,
  duration_us INTEGER NOT NULL,
  remote TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_route ON webhook_deliveries(route, id);
)sql",
    // 5: the due-runs index on wake_at alone. Its condition named the
    // status too, which made every status change (each claim, park and
    // end) pay for the index even when the run was never in it: 3 of the
    // 8 us of a run's end. The queries that use it keep their status
    // condition; a finished run has wake_at 0, so it leaves the index.
    R"sql(
DROP INDEX runs_due;
CREATE INDEX runs_due ON runs(wake_at) WHERE wake_at > 0;
)sql",
    // 6: how many times a run was executing when its process died, so a
    // run that crashes the process is quarantined instead of resumed for ever
    R"sql(
ALTER TABLE runs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;
)sql",
    // 7: each call's path (history_event.hpp): replay matches calls by
    // path once a run can branch; a call recorded before is in the body,
    // where the path is its sequence number
    R"sql(
ALTER TABLE history ADD COLUMN path TEXT NOT NULL DEFAULT '';
UPDATE history SET path = CAST(seq AS TEXT);
)sql",
    // 8: where each durable call is in the workflow's source, and a
    // fingerprint of its options, for replay's divergence reports, and
    // whether a step read its idempotency key; a script version's file
    // name, the modules it loaded and its folder; the run a fork or an
    // import came from
    R"sql(
ALTER TABLE history ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE history ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE scripts ADD COLUMN entry TEXT NOT NULL DEFAULT '';
ALTER TABLE scripts ADD COLUMN modules TEXT NOT NULL DEFAULT '';
ALTER TABLE history ADD COLUMN step_key_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scripts ADD COLUMN folder TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN forked_from TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN forked_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN imported_from TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_forked ON runs(forked_from, created_at, id) WHERE forked_from != '';
)sql",
    // 9: runs started by another run's ctx:start; named queues. A queued
    // run leaves the due-runs index for one of its queue's, in admission
    // order (priority, then insertion: the rowid)
    R"sql(
ALTER TABLE runs ADD COLUMN started_by TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN queue TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_started_by ON runs(started_by, created_at, id) WHERE started_by != '';
DROP INDEX runs_due;
CREATE INDEX runs_due ON runs(wake_at) WHERE wake_at > 0 AND queue = '';
CREATE INDEX runs_queue_due ON runs(queue, priority DESC) WHERE wake_at > 0 AND queue != '';
CREATE INDEX runs_queue_active ON runs(queue, status) WHERE queue != '';
)sql",
    // 10: rate-limit state by concrete key, shared by every process (it
    // was one document of weft.store's, written whole every 2 s)
    R"sql(
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rate_limits_updated ON rate_limits(updated_at);
DELETE FROM documents WHERE collection = 'weft.ratelimit';
)sql",
    // 11: documents, blobs and secrets keyed by tenant first (engine/
    // tenant.hpp): each table is rebuilt with the new key, its rows copied
    // into the shared namespace ('') where they were; the query-shape
    // indexes of documents (doc_by_*) go with the old table and are made
    // again, tenant first, on first use. Secrets get an expiry (ms, 0:
    // none) and a JSON `meta`.
    R"sql(
ALTER TABLE documents RENAME TO documents_v2;
CREATE TABLE documents (
  tenant TEXT NOT NULL,
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, collection, id)
) WITHOUT ROWID;
INSERT INTO documents(tenant, collection, id, doc, version, updated_at)
  SELECT '', collection, id, doc, version, updated_at FROM documents_v2;
DROP TABLE documents_v2;
ALTER TABLE blobs RENAME TO blobs_v2;
CREATE TABLE blobs (
  tenant TEXT NOT NULL,
  path TEXT NOT NULL,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  size INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, path)
) WITHOUT ROWID;
INSERT INTO blobs(tenant, path, content_type, data, size, updated_at)
  SELECT '', path, content_type, data, size, updated_at FROM blobs_v2;
DROP TABLE blobs_v2;
ALTER TABLE secrets RENAME TO secrets_v2;
CREATE TABLE secrets (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  ciphertext BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0,
  meta TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant, name)
) WITHOUT ROWID;
INSERT INTO secrets(tenant, name, ciphertext, updated_at)
  SELECT '', name, ciphertext, updated_at FROM secrets_v2;
DROP TABLE secrets_v2;
)sql",
};

int64_t current_version(Connection& db) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  auto query = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  query.step();
  int64_t version = query.int64(0);
  query.reset();
  return version;
}

}  // namespace

void migrate(Connection& db) {
  const int64_t latest = static_cast<int64_t>(kMigrations.size());
  for (;;) {
    Transaction tx(db);  // re-read inside: another process may be migrating too
    int64_t version = current_version(db);
    if (version > latest)
      throw std::runtime_error("storage: database schema version " + std::to_string(version) +
                               " is newer than this weft (" + std::to_string(latest) + ")");
    if (version == latest) return;
    db.exec(kMigrations[static_cast<size_t>(version)]);
    db.exec("INSERT INTO schema_version(version) VALUES (" + std::to_string(version + 1) + ")");
    tx.commit();
  }
}

}  // namespace weft::engine::sqlite
