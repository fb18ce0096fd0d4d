// The SQLite schema's migrations: a database made by an older weft is
// upgraded when a store opens it, and keeps working.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <string>

#include "engine/store_open.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace weft::engine;

namespace {

// Runs `sql` on the file with a connection of its own; the first column
// of the first row, or "" when none.
std::string query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string first;
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    first = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return first;
}

Run parked_run(const std::string& id, int64_t wake_at) {
  Run run;
  run.id = id;
  run.workflow = "w";
  run.script_hash = "h";
  run.input = nlohmann::json::object();
  run.status = RunStatus::Sleeping;
  run.root_id = id;
  run.wake_at = wake_at;
  return run;
}

// As weft before version 8 left a database: no source locations,
// fingerprints or step-key reads in history, no file names, modules or
// folders for scripts, no fork lineage for runs.
void drop_version_8(const std::string& path) {
  query(path, "DROP INDEX runs_forked");
  for (const char* column : {"history DROP COLUMN location", "history DROP COLUMN fingerprint",
                             "history DROP COLUMN step_key_read", "scripts DROP COLUMN entry",
                             "scripts DROP COLUMN modules", "scripts DROP COLUMN folder",
                             "runs DROP COLUMN forked_from", "runs DROP COLUMN forked_seq",
                             "runs DROP COLUMN imported_from"})
    query(path, std::string("ALTER TABLE ") + column);
}

// As weft before version 10 left it: rate-limit state in a document.
void drop_version_10(const std::string& path) { query(path, "DROP TABLE rate_limits"); }

// As weft before version 11 left it: documents, blobs and secrets with no
// tenant in their keys, secrets without expiry or meta (all three empty).
void drop_version_11(const std::string& path) {
  for (const char* table : {"documents", "blobs", "secrets"}) query(path, std::string("DROP TABLE ") + table);
  query(path, "CREATE TABLE documents (collection TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,"
              " version INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID");
  query(path, "CREATE TABLE blobs (path TEXT PRIMARY KEY, content_type TEXT NOT NULL, data BLOB NOT NULL,"
              " size INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID");
  query(path, "CREATE TABLE secrets (name TEXT PRIMARY KEY, ciphertext BLOB NOT NULL,"
              " updated_at INTEGER NOT NULL) WITHOUT ROWID");
}

// As weft before version 9 left it: no queues, no ctx:start lineage, and
// the due-runs index on every run with a wake time.
void drop_version_9(const std::string& path) {
  for (const char* index : {"runs_due", "runs_queue_due", "runs_queue_active", "runs_started_by"})
    query(path, std::string("DROP INDEX ") + index);
  query(path, "CREATE INDEX runs_due ON runs(wake_at) WHERE wake_at > 0");
  for (const char* column : {"started_by", "queue", "priority", "admitted"})
    query(path, std::string("ALTER TABLE runs DROP COLUMN ") + column);
}

const char* kDueIndexSql = "SELECT sql FROM sqlite_master WHERE name = 'runs_due'";
const char* kCurrentDueIndex = "CREATE INDEX runs_due ON runs(wake_at) WHERE wake_at > 0 AND queue = ''";

}  // namespace

TEST_CASE("the due-runs index of a version 4 database is rebuilt on wake_at alone and due runs are still claimed",
          "[storage][schema]") {
  weft::testing::TempDir dir;
  std::string path = (dir.path() / "weft.db").string();
  {
    auto store_owner = weft::engine::open_store(path);
    auto& store = *store_owner;
    store.runs().commit({{"due", "", {InsertRun{parked_run("due", 1'000)}}},
                  {"later", "", {InsertRun{parked_run("later", 9'000)}}}});
  }
  CHECK(query(path, kDueIndexSql) == kCurrentDueIndex);
  drop_version_11(path);
  drop_version_10(path);
  drop_version_9(path);
  // As weft before version 5 left it: the index's condition names the status.
  query(path, "DROP INDEX runs_due");
  query(path, "CREATE INDEX runs_due ON runs(wake_at)"
              " WHERE status IN ('pending','running','sleeping','waiting') AND wake_at > 0");
  query(path, "ALTER TABLE runs DROP COLUMN crashes");  // added by version 6
  query(path, "ALTER TABLE history DROP COLUMN path");  // added by version 7
  drop_version_8(path);
  query(path, "DELETE FROM schema_version WHERE version >= 5");
  REQUIRE(query(path, "SELECT MAX(version) FROM schema_version") == "4");

  auto store_owner = weft::engine::open_store(path);
  auto& store = *store_owner;
  CHECK(query(path, "SELECT MAX(version) FROM schema_version") == "11");
  CHECK(query(path, kDueIndexSql) == kCurrentDueIndex);
  auto claimed = store.runs().claim_due({"me", 5'000, 30'000, 10, "", {}});
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].id == "due");
  CHECK(claimed[0].status == RunStatus::Running);
}

TEST_CASE("version 6 counts the claims of runs whose process died while executing them",
          "[storage][schema]") {
  weft::testing::TempDir dir;
  std::string path = (dir.path() / "weft.db").string();
  auto store_owner = weft::engine::open_store(path);
  auto& store = *store_owner;
  Run executing = parked_run("executing", 1'000);
  executing.status = RunStatus::Running;  // as a dead process left it
  store.runs().commit({{"executing", "", {InsertRun{executing}}},
                {"parked", "", {InsertRun{parked_run("parked", 1'000)}}}});
  auto claimed = store.runs().claim_due({"me", 5'000, 30'000, 10, "", {}});
  REQUIRE(claimed.size() == 2);
  for (const auto& run : claimed) {
    INFO(run.id);
    CHECK(run.crashes == (run.id == "executing" ? 1 : 0));
  }
  CHECK(store.runs().get_run("executing")->crashes == 1);
  CHECK(store.runs().get_run("parked")->crashes == 0);
}

TEST_CASE("version 7 gives the calls recorded before it their sequence number as path, and a run"
          " recorded then replays",
          "[storage][schema]") {
  weft::testing::EngineFixture f;
  f.write_workflow("two", R"lua(
    local weft = require 'weft'
    return weft.workflow { name = 'two', run = function(ctx)
      local a = ctx:step('a', function() return 1 end)
      ctx:sleep(60)
      return a + ctx:step('b', function() return 2 end)
    end }
  )lua");
  auto run = f.start("two");
  REQUIRE(f.run(run.id).status == RunStatus::Sleeping);
  std::string path = (f.dir.path() / "weft.db").string();
  // As weft before version 7 left it: no path column.
  f.engine.reset();
  drop_version_11(path);
  drop_version_10(path);
  drop_version_9(path);
  query(path, "ALTER TABLE history DROP COLUMN path");
  drop_version_8(path);
  query(path, "DELETE FROM schema_version WHERE version >= 7");
  {
    auto reopened = open_store(path);
    CHECK(query(path, "SELECT group_concat(path, ',') FROM (SELECT path FROM history ORDER BY seq)") ==
          "1,2");
  }
  f.restart();
  f.advance(61'000);
  auto done = f.run(run.id);
  INFO(done.error.dump());
  CHECK(done.status == RunStatus::Completed);
  CHECK(done.result == 3);
  std::vector<std::string> paths;
  for (const auto& event : f.history(run.id)) paths.push_back(event.path);
  CHECK(paths == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("version 9 upgrades a database with runs in flight: they are claimed as before, with no queue",
          "[storage][schema]") {
  weft::testing::TempDir dir;
  std::string path = (dir.path() / "weft.db").string();
  {
    auto store_owner = weft::engine::open_store(path);
    store_owner->runs().commit({{"due", "", {InsertRun{parked_run("due", 1'000)}}},
                                {"later", "", {InsertRun{parked_run("later", 9'000)}}}});
  }
  drop_version_11(path);
  drop_version_10(path);
  drop_version_9(path);
  query(path, "DELETE FROM schema_version WHERE version >= 9");
  auto store_owner = weft::engine::open_store(path);
  CHECK(query(path, "SELECT MAX(version) FROM schema_version") == "11");
  CHECK(query(path, kDueIndexSql) == kCurrentDueIndex);
  CHECK(query(path, "SELECT COUNT(*) FROM runs WHERE queue = '' AND started_by = '' AND NOT admitted") == "2");
  auto claimed = store_owner->runs().claim_due({"me", 5'000, 30'000, 10, "", {}});
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].id == "due");
  CHECK(claimed[0].queue.empty());
}

TEST_CASE("version 10 moves rate-limit state out of weft.store's documents", "[storage][schema]") {
  weft::testing::TempDir dir;
  std::string path = (dir.path() / "weft.db").string();
  { auto store_owner = weft::engine::open_store(path); }
  drop_version_11(path);
  drop_version_10(path);
  query(path, "DELETE FROM schema_version WHERE version >= 10");
  query(path, "INSERT INTO documents(collection, id, doc, version, updated_at)"
              " VALUES ('weft.ratelimit', 'state', '{}', 1, 0), ('leads', 'L-1', '{}', 1, 0)");
  auto store_owner = weft::engine::open_store(path);
  CHECK(query(path, "SELECT MAX(version) FROM schema_version") == "11");
  CHECK(query(path, "SELECT COUNT(*) FROM documents WHERE collection = 'weft.ratelimit'") == "0");
  CHECK(query(path, "SELECT COUNT(*) FROM documents WHERE collection = 'leads'") == "1");
  store_owner->limits().update_limits({"crm"}, 5, [](auto& states) { states["crm"] = {{"tokens", 2}}; });
  CHECK(store_owner->limits().list_limits(10).size() == 1);
}

TEST_CASE("issue 14: version 11 keeps earlier documents, blobs and secrets in the shared namespace",
          "[storage][schema][tenant]") {
  weft::testing::TempDir dir;
  std::string path = (dir.path() / "weft.db").string();
  { auto made = weft::engine::open_store(path); }
  drop_version_11(path);
  query(path, "CREATE INDEX doc_by_status_ ON documents(collection, json_extract(doc, '$.status'))");
  query(path, R"(INSERT INTO documents VALUES ('leads', 'L-1', '{"status":"new"}', 3, 5))");
  query(path, "INSERT INTO blobs VALUES ('raw/a.txt', 'text/plain', X'6869', 2, 7)");
  query(path, "INSERT INTO secrets VALUES ('crm.token', X'0001', 9)");
  query(path, "DELETE FROM schema_version WHERE version >= 11");

  auto store = weft::engine::open_store(path);
  CHECK(query(path, "SELECT MAX(version) FROM schema_version") == "11");
  CHECK(query(path, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_v2' OR name = 'doc_by_status_'") == "0");
  auto document = store->documents().get_document("leads", "L-1");
  REQUIRE(document);
  CHECK(document->version == 3);
  CHECK(document->doc == nlohmann::json{{"status", "new"}});
  CHECK_FALSE(store->documents().get_document("acme", "leads", "L-1").has_value());
  CHECK(store->blobs().get_blob("", "raw/a.txt")->data == "hi");
  CHECK_FALSE(store->blobs().get_blob("acme", "raw/a.txt").has_value());
  auto secrets = store->secrets().list_secrets("");
  REQUIRE(secrets.size() == 1);
  CHECK(secrets[0].name == "crm.token");
  CHECK(secrets[0].updated_at == 9);
  CHECK(secrets[0].expires_at == 0);
  CHECK(secrets[0].meta == "{}");
  CHECK(*store->secrets().get_secret("", "crm.token") == std::string("\x00\x01", 2));

  // The same keys in a tenant's namespace are other rows; queries index tenant first.
  CHECK(store->documents().put_document("acme", "leads", "L-1", {{"status", "new"}}, 0, 1).version == 1);
  weft::engine::DocumentQuery by_status;
  by_status.where = {{"status", "new"}};
  CHECK(store->documents().find_documents("acme", "leads", by_status).size() == 1);
  CHECK(store->documents().find_documents("", "leads", by_status).size() == 1);
  CHECK_THAT(query(path, "SELECT sql FROM sqlite_master WHERE name LIKE 'doc_by_status%'"),
             Catch::Contains("documents(tenant, collection"));
}
