// Storage of rate-limit state, one record per concrete key ("user:42"),
// shared by every process on the database: a limit is one limit however
// many servers draw from it. Kept apart from weft.store's documents, so no
// workflow can read or forge it.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace weft::engine {

class RateLimitStore {
 public:
  virtual ~RateLimitStore() = default;

  using States = std::map<std::string, nlohmann::json>;
  // Reads the states of `keys` (a key never written is absent), lets
  // `update` change them, and writes back what it left: one atomic step
  // against every other process. `update` must not touch the store.
  virtual void update_limits(const std::vector<std::string>& keys, int64_t now,
                             const std::function<void(States&)>& update) = 0;
  // Every key's state, most recently updated first, at most `limit`.
  virtual std::vector<std::pair<std::string, nlohmann::json>> list_limits(int64_t limit) = 0;
  // Forgets the keys not updated since `before` (an idle limit is full
  // again: per-user keys must not pile up for ever).
  virtual void prune_limits(int64_t before) = 0;
};

}  // namespace weft::engine
