// Rate limits by name: token buckets and sliding windows, checked over
// hierarchical keys ("salesforce:create" names the levels "salesforce" and
// "salesforce:create"), consuming from every level or from none. Adaptive:
// provider headers (X-RateLimit-*, Retry-After) slow a limit down, and the
// slowdown decays back. The time is passed in, so tests check exact
// admission sequences. One instance serves a whole process; its state
// lives in the store (shared by every process on the database) or here.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/rate_limit_store.hpp"

namespace weft::engine {

struct LimitSpec {
  enum class Kind { TokenBucket, SlidingWindow };
  Kind kind = Kind::TokenBucket;
  double rate = 1;       // admissions per `per_ms`
  int64_t per_ms = 1000;
  double burst = 0;      // token bucket capacity; 0 = rate
};

// Reads { rate = 300, per = "1m", burst = 50, kind = "bucket"|"window" };
// throws std::invalid_argument naming the field.
LimitSpec parse_limit_spec(const std::string& key, const nlohmann::json& spec);

struct Admission {
  bool allowed = false;
  int64_t retry_after_ms = 0;  // when denied: how long until it would pass
};

// What a provider said about its limit (from response headers).
struct LimitFeedback {
  std::optional<double> limit;
  std::optional<double> remaining;
  std::optional<int64_t> reset_after_ms;
  std::optional<int64_t> retry_after_ms;
};

// What GET /v1/limits shows of one concrete key.
struct LimitStatus {
  std::string key;
  std::string declared_as;  // the declaration it follows ("user:*" for "user:42"); "" unknown here
  LimitSpec spec;           // when declared_as is known
  double available = 0;     // tokens now (bucket; -1: never drawn, full), or room left in the window
  double slowdown = 1;      // 1 = full speed; lower while a provider pushes back
  int64_t blocked_until = 0;
  int64_t waiting = 0;      // runs denied whose retry time is still ahead
  int64_t pushbacks = 0;    // 429s / exhausted quotas observed
  int64_t last_pushback_at = 0;
  int64_t updated_at = 0;
};

// As GET /v1/limits and `weft limits --json` print it.
nlohmann::json to_json(const LimitStatus& status);

class RateLimiter {
 public:
  // `shared`: where the limits' state lives, so that every process on it
  // draws from one limit; null: state in this process only.
  explicit RateLimiter(RateLimitStore* shared = nullptr) : shared_(shared) {}

  // Declares (or redeclares) a limit. A key whose last level is "*"
  // ("user:*") is a pattern: each concrete key it matches ("user:42") has
  // a limit of its own with that spec. Throws std::invalid_argument for a
  // "*" anywhere else.
  void declare(const std::string& key, const LimitSpec& spec);
  // Declares a limit the operator configured: later declare() calls (a
  // workflow's `limits`) do not change it.
  void pin(const std::string& key, const LimitSpec& spec);
  bool declared(const std::string& key) const;

  // Checks every declared level of `keys`; consumes `cost` from all of
  // them or from none. `waiter` (a run id) is counted as waiting on the
  // limits that deny it until its retry time.
  Admission acquire(const std::vector<std::string>& keys, double cost, int64_t now_ms,
                    const std::string& waiter = "");

  // Slows the limit of `key` (its most specific declared level) as the
  // provider asks.
  void observe(const std::string& key, const LimitFeedback& feedback, int64_t now_ms);

  // The concrete limits a key draws from, most general first
  // ("salesforce:create:lead" -> "salesforce", "salesforce:create").
  std::vector<std::string> levels(const std::string& key) const;

  // The limits with state (every process's when shared), most recently
  // used first, at most `limit`.
  std::vector<LimitStatus> status(int64_t now_ms, int64_t limit) const;

 private:
  struct State {
    double tokens = -1;        // bucket: current tokens (-1: full, not yet used)
    int64_t updated_ms = 0;    // bucket: last refill
    int64_t window_start = 0;  // window: start of the current window
    double current = 0;        // window: admissions in the current window
    double previous = 0;       // window: admissions in the previous window
    double slowdown = 1;
    int64_t slowdown_at = 0;
    int64_t blocked_until = 0;
    std::map<std::string, int64_t> waiting;  // run -> retry time
    int64_t pushbacks = 0;
    int64_t last_pushback_at = 0;

    nlohmann::json to_json() const;
    static State from_json(const nlohmann::json& json);
  };
  struct Declared {
    LimitSpec spec;
    bool pinned = false;
  };
  using Levels = std::vector<std::pair<std::string, LimitSpec>>;

  // The declaration a concrete level follows (exact, else its pattern).
  const std::pair<const std::string, Declared>* declaration(const std::string& level) const;
  Levels levels_with_specs(const std::vector<std::string>& keys) const;
  // Runs `fn` on the states of `levels`, in the shared store or here.
  void with_states(const Levels& levels, int64_t now, const std::function<void(std::vector<State*>&)>& fn);

  static int64_t wait_ms(const LimitSpec& spec, State& state, double cost, int64_t now);
  static void refresh(const LimitSpec& spec, State& state, int64_t now);

  RateLimitStore* shared_;
  mutable std::mutex mutex_;
  std::map<std::string, Declared> declared_;
  std::map<std::string, State> local_;  // the states when nothing is shared
};

}  // namespace weft::engine
