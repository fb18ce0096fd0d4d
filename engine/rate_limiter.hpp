// Rate limits by name: token buckets and sliding windows, checked over
// hierarchical keys ("salesforce:create" names the levels "salesforce" and
// "salesforce:create"), consuming from every level or from none. Adaptive:
// provider headers (X-RateLimit-*, Retry-After) slow a limit down, and the
// slowdown decays back. Pure logic with the time passed in, so tests check
// exact admission sequences; one instance serves a whole process.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

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

class RateLimiter {
 public:
  // Declares (or redeclares) a limit; its state is kept if it exists.
  void declare(const std::string& key, const LimitSpec& spec);
  // Declares a limit the operator configured: later declare() calls (a
  // workflow's `limits`) do not change it.
  void pin(const std::string& key, const LimitSpec& spec);
  bool declared(const std::string& key) const;

  // Checks every declared level of `keys`; consumes `cost` from all of
  // them or from none.
  Admission acquire(const std::vector<std::string>& keys, double cost, int64_t now_ms);

  // Slows the limit of `key` (its most specific declared level) as the
  // provider asks.
  void observe(const std::string& key, const LimitFeedback& feedback, int64_t now_ms);

  // State for persistence, and back.
  nlohmann::json export_state() const;
  void import_state(const nlohmann::json& state);

  // The declared levels a key names, most general first.
  std::vector<std::string> levels(const std::string& key) const;

 private:
  struct Limit {
    LimitSpec spec;
    double tokens = -1;        // bucket: current tokens (-1: full, not yet used)
    int64_t updated_ms = 0;    // bucket: last refill
    int64_t window_start = 0;  // window: start of the current window
    double current = 0;        // window: admissions in the current window
    double previous = 0;       // window: admissions in the previous window
    double slowdown = 1;       // 1 = full speed; lower while a provider pushes back
    int64_t slowdown_at = 0;
    int64_t blocked_until = 0;
    bool pinned = false;
  };

  int64_t wait_ms(Limit& limit, double cost, int64_t now) const;
  void consume(Limit& limit, double cost, int64_t now) const;
  void refresh(Limit& limit, int64_t now) const;

  mutable std::mutex mutex_;
  std::map<std::string, Limit> limits_;
};

}  // namespace weft::engine
