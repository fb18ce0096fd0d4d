// open_store (see store_open.hpp).
#include "engine/store_open.hpp"

#include <stdexcept>

#include "engine/sqlite_store.hpp"

namespace weft::engine {

std::unique_ptr<Store> open_store(const std::string& location) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0)
    throw std::invalid_argument("PostgreSQL storage is not available yet; use a file path");
  return open_sqlite_store(location);
}

std::unique_ptr<Store> open_scratch_store(const std::string& dir) {
  return open_sqlite_store(dir + "/weft.db", {SqliteOptions::Sync::Off});
}

}  // namespace weft::engine
