// Versioned schema migrations of the SQLite store.
#pragma once
#include "engine/sqlite_db.hpp"

namespace weft::engine::sqlite {

// Brings the database up to the latest schema version, one migration per
// transaction; refuses a database written by a newer Weft.
void migrate(Connection& db);

}  // namespace weft::engine::sqlite
