// The process's file-descriptor limit: `weft serve` raises its soft limit
// to the hard one at start, so each connection, database file and pipe it
// may hold counts against the highest limit the system lets it have.
#pragma once
#include <cstdint>

namespace weft::api {

struct FdLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Raises RLIMIT_NOFILE's soft limit to its hard limit (or as near as the
// kernel allows when the hard limit is unlimited); returns the limits in
// force afterwards. Never throws: a limit it cannot raise stays as it was.
FdLimit raise_fd_limit();

}  // namespace weft::api
