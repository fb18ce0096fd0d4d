// Storage failures the process outlives: the disk is full or the database
// cannot be written (SQLite's SQLITE_FULL and SQLITE_IOERR family). The
// store raises StorageUnavailable for them, the API answers 503
// `storage_unavailable` with Retry-After, and the storage's health as last
// seen is kept here for /healthz.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace weft::engine {

struct StorageUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct StorageHealth {
  bool available = true;
  std::string error;     // the last failure's message while unavailable
  int64_t since_ms = 0;  // Unix ms of the first failure of this episode
};

// Process-wide: a StorageUnavailable makes the storage unavailable; the
// next write transaction that commits makes it available again, and so
// does a minute without a new failure (a node nobody writes to any more,
// say behind a load balancer that took it out, is not reported down for
// ever on an old failure). Cheap when nothing changes (one atomic load).
constexpr int64_t kStorageFailureMemoryMs = 60'000;
StorageHealth storage_health();
void storage_failed(const std::string& message);
void storage_recovered();

}  // namespace weft::engine
