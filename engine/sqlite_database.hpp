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

// For a write that need not reach the disk before it returns (a claim:
// lost in a power failure, its runs are simply due again), on the writer:
// synchronous=NORMAL while it lives, so it costs no fsync; the next
// durable commit syncs the WAL with it. Nothing changes when `synced` is false.
class RelaxedSync {
 public:
  RelaxedSync(sqlite::Connection& writer, bool synced);
  ~RelaxedSync();  // back to FULL; aborts if it cannot (commits would no longer be durable)
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  sqlite::Connection& writer_;
  bool synced_;
};

class SqliteDatabase {
 public:
  // Opens (creating and migrating if needed) the file at `path`.
  SqliteDatabase(const std::string& path, SqliteOptions options);

  LockedConnection writer() { return {write_mutex_, *writer_}; }
  LockedConnection reader() { return {read_mutex_, *reader_}; }
  LockedConnection limits() { return {limits_mutex_, *limits_}; }
  // Whether the writer's commits are fsynced (SqliteOptions::Sync::Full).
  bool synced() const { return synced_; }

 private:
  bool synced_;
  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<sqlite::Connection> reader_;
  std::mutex limits_mutex_;
  std::unique_ptr<sqlite::Connection> limits_;
};

}  // namespace weft::engine
