// A thin RAII layer over one SQLite connection: prepared statements cached
// by their SQL text, binding by position, and transactions. Used only by
// engine/sqlite_*.cpp.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace weft::engine::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, double value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  bool step();  // true while a row is available; resets when done
  void run();   // steps to completion
  void reset();
  int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const;
  std::string blob(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  Connection(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);
  // The statement for `sql`, prepared once per connection and reset.
  Statement prepare(const char* sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// A statement whose SQL is built at run time (e.g. an IN list of the
// right length): prepared for one use and finalized with this object.
class OneShotStatement {
 public:
  OneShotStatement(Connection& db, const std::string& sql);
  ~OneShotStatement();
  OneShotStatement(const OneShotStatement&) = delete;
  OneShotStatement& operator=(const OneShotStatement&) = delete;
  Statement& get() { return statement_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  Statement statement_{nullptr};
};

// BEGIN IMMEDIATE … COMMIT, rolled back if the scope is left by an exception.
// A commit that wrote something marks the storage available again
// (storage_error.hpp); the fault point storage-full fails it instead.
class Transaction {
 public:
  explicit Transaction(Connection& db);
  ~Transaction();
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
  int64_t changes_at_begin_ = 0;
};

}  // namespace weft::engine::sqlite
