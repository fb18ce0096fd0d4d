// SQLite connection helpers (see sqlite_db.hpp). Errors become
// std::runtime_error carrying SQLite's message; a full disk or an I/O
// error becomes StorageUnavailable (storage_error.hpp), which the API
// answers with a retryable 503.
#include "engine/sqlite_db.hpp"

#include <mutex>
#include <stdexcept>

#include "engine/fault_injection.hpp"
#include "engine/storage_error.hpp"

namespace weft::engine::sqlite {
namespace {

// Throws the error for SQLite result `code` (extended or primary).
[[noreturn]] void raise(int code, const std::string& message) {
  std::string text = "storage: " + message + " (code " + std::to_string(code) + ")";
  int primary = code & 0xff;
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR) {
    storage_failed(text);
    throw StorageUnavailable(text);
  }
  throw std::runtime_error(text);
}

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
    raise(sqlite3_extended_errcode(db), std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement& Statement::bind(int index, int64_t value) {
  check(sqlite3_db_handle(stmt_), sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  check(sqlite3_db_handle(stmt_),
        sqlite3_bind_text(stmt_, index, value.data() ? value.data() : "",  // never NULL
                          static_cast<int>(value.size()),
                          SQLITE_TRANSIENT),
        "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(sqlite3_db_handle(stmt_), sqlite3_bind_double(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  check(sqlite3_db_handle(stmt_),
        sqlite3_bind_blob64(stmt_, index, bytes.data() ? bytes.data() : "", bytes.size(),
                            SQLITE_TRANSIENT),
        "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(sqlite3_db_handle(stmt_), sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  sqlite3* db = sqlite3_db_handle(stmt_);
  std::string message = sqlite3_errmsg(db);  // before the reset clears it
  int code = sqlite3_extended_errcode(db);
  sqlite3_reset(stmt_);
  raise(code, message);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() { sqlite3_reset(stmt_); }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  return p ? std::string(static_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

namespace {

// Process-wide SQLite settings, before the first connection opens. Memory
// statistics are off: with them every SQLite allocation takes one global
// mutex, which the writer and the readers of other threads contend for.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Connection::Connection(const std::string& path, bool read_only) {
  configure_sqlite_once();
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("storage: cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10'000);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 1200, 1000);
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    raise(sqlite3_extended_errcode(db_), message);
  }
}

Statement Connection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return Statement(it->second);
  }
  sqlite3_stmt* stmt = nullptr;
  check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), sql);
  cache_.emplace(sql, stmt);
  return Statement(stmt);
}

OneShotStatement::OneShotStatement(Connection& db, const std::string& sql) {
  check(db.handle(), sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr), "prepare");
  statement_ = Statement(stmt_);
}

OneShotStatement::~OneShotStatement() { sqlite3_finalize(stmt_); }

Transaction::Transaction(Connection& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
  changes_at_begin_ = sqlite3_total_changes64(db_.handle());
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const std::exception&) {
      // The connection already rolled back (e.g. after an I/O error).
    }
  }
}

void Transaction::commit() {
  bool wrote = sqlite3_total_changes64(db_.handle()) != changes_at_begin_;
  if (wrote && fault_fails("storage-full")) raise(SQLITE_FULL, "database or disk is full (injected)");
  db_.exec("COMMIT");
  done_ = true;
  if (wrote) storage_recovered();
}

}  // namespace weft::engine::sqlite
