// One SQLite file in WAL mode, shared by the per-concern SQLite stores
// (sqlite_store.hpp): one connection writes (commits, claims, deliveries,
// data), another reads; WAL lets reads run beside the writer. A third
// writes rate-limit state, atomically but without an fsync per change
// (synchronous=NORMAL: a power loss may forget the last tokens drawn,
// nothing else). Each connection is used under its own lock.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "engine/sqlite_db.hpp"

namespace weft::engine {

struct SqliteOptions {
  // Full: each commit fsynced before it returns. Off: nothing is ever
  // synced (a scratch database that no crash must survive: weft test's).
  enum class Sync { Full, Off };
  Sync sync = Sync::Full;
};

// A connection held under its lock for the life of this object.
class LockedConnection {
 public:
  LockedConnection(std::mutex& mutex, sqlite::Connection& connection)
      : lock_(mutex), connection_(connection) {}
  sqlite::Connection* operator->() const { return &connection_; }
  sqlite::Connection& operator*() const { return connection_; }

 private:
  std::unique_lock<std::mutex> lock_;
  sqlite::Connection& connection_;
};

class SqliteDatabase {
 public:
  // Opens (creating and migrating if needed) the file at `path`.
  SqliteDatabase(const std::string& path, SqliteOptions options);

  LockedConnection writer() { return {write_mutex_, *writer_}; }
  LockedConnection reader() { return {read_mutex_, *reader_}; }
  LockedConnection limits() { return {limits_mutex_, *limits_}; }

 private:
  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<sqlite::Connection> reader_;
  std::mutex limits_mutex_;
  std::unique_ptr<sqlite::Connection> limits_;
};

}  // namespace weft::engine
