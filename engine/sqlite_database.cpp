// SqliteDatabase (see sqlite_database.hpp).
#include "engine/sqlite_database.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "engine/sqlite_schema.hpp"

namespace weft::engine {
namespace {

// Switching a new database to WAL needs an exclusive lock, and SQLite
// reports a busy database at once there instead of waiting: when several
// processes open a new file together, retry for a while.
void enable_wal(sqlite::Connection& db) {
  for (int attempt = 0;; ++attempt) {
    try {
      db.exec("PRAGMA journal_mode=WAL");
      return;
    } catch (const std::runtime_error&) {
      if (attempt >= 200) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace

RelaxedSync::RelaxedSync(sqlite::Connection& writer, bool synced) : writer_(writer), synced_(synced) {
  if (synced_) writer_.exec("PRAGMA synchronous=NORMAL");
}

RelaxedSync::~RelaxedSync() {
  if (!synced_) return;
  try {
    writer_.exec("PRAGMA synchronous=FULL");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft: cannot make the database's commits durable again: %s\n", e.what());
    std::abort();
  }
}

SqliteDatabase::SqliteDatabase(const std::string& path, SqliteOptions options)
    : synced_(options.sync == SqliteOptions::Sync::Full) {
  writer_ = std::make_unique<sqlite::Connection>(path, false);
  enable_wal(*writer_);
  writer_->exec(options.sync == SqliteOptions::Sync::Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  // Checkpoint the WAL into the database every ~16 MiB rather than every
  // 4 MiB: fewer checkpoints (each with fsyncs of its own) under load.
  writer_->exec("PRAGMA wal_autocheckpoint=4000");
  writer_->exec("PRAGMA cache_size=-32768");
  sqlite::migrate(*writer_);
  reader_ = std::make_unique<sqlite::Connection>(path, true);
  limits_ = std::make_unique<sqlite::Connection>(path, false);
  limits_->exec(options.sync == SqliteOptions::Sync::Full ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=OFF");
}

}  // namespace weft::engine
