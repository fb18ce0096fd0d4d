// Token buckets and sliding windows (see rate_limiter.hpp).
//
// Design: a sliding window is estimated from two fixed windows (the count
// of the previous one weighted by how much of it still overlaps, plus the
// current count), which needs constant memory per key. The adaptive
// slowdown multiplies the refill rate (or the window's rate) and recovers
// linearly to full speed over ten periods.
#include "engine/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/duration.hpp"

namespace weft::engine {
namespace {

constexpr double kMinSlowdown = 0.05;
constexpr double kRecoveryPeriods = 10;

int64_t ceil_ms(double ms) { return static_cast<int64_t>(std::ceil(std::max(0.0, ms))); }

}  // namespace

LimitSpec parse_limit_spec(const std::string& key, const nlohmann::json& spec) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("limits." + key + ": " + what);
  };
  if (!spec.is_object()) fail("expected { rate = N, per = \"1m\" }");
  LimitSpec out;
  if (!spec.contains("rate") || !spec["rate"].is_number() || spec["rate"].get<double>() <= 0)
    fail("rate: expected a number > 0");
  out.rate = spec["rate"].get<double>();
  if (spec.contains("per")) {
    try {
      const auto& per = spec["per"];
      out.per_ms = per.is_number() ? engine::seconds_to_ms(per.get<double>())
                                   : engine::parse_duration_ms(per.get<std::string>());
    } catch (const std::exception&) {
      fail("per: expected a duration like \"1m\"");
    }
    if (out.per_ms <= 0) fail("per: expected a duration > 0");
  }
  if (spec.contains("burst")) {
    if (!spec["burst"].is_number() || spec["burst"].get<double>() <= 0) fail("burst: expected a number > 0");
    out.burst = spec["burst"].get<double>();
  }
  if (spec.contains("kind")) {
    std::string kind = spec["kind"].is_string() ? spec["kind"].get<std::string>() : "";
    if (kind == "window") out.kind = LimitSpec::Kind::SlidingWindow;
    else if (kind != "bucket") fail("kind: expected \"bucket\" or \"window\"");
  }
  for (const auto& [field, value] : spec.items())
    if (field != "rate" && field != "per" && field != "burst" && field != "kind")
      fail("unknown field '" + field + "'");
  return out;
}

void RateLimiter::declare(const std::string& key, const LimitSpec& spec) {
  std::lock_guard lock(mutex_);
  Limit& limit = limits_[key];
  if (!limit.pinned) limit.spec = spec;
}

void RateLimiter::pin(const std::string& key, const LimitSpec& spec) {
  std::lock_guard lock(mutex_);
  Limit& limit = limits_[key];
  limit.spec = spec;
  limit.pinned = true;
}

bool RateLimiter::declared(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return limits_.count(key) > 0;
}

std::vector<std::string> RateLimiter::levels(const std::string& key) const {
  std::vector<std::string> out;
  for (size_t at = key.find(':'); ; at = key.find(':', at + 1)) {
    std::string level = key.substr(0, at);
    if (limits_.count(level)) out.push_back(level);
    if (at == std::string::npos) break;
  }
  return out;
}

void RateLimiter::refresh(Limit& limit, int64_t now) const {
  const LimitSpec& spec = limit.spec;
  if (limit.slowdown < 1) {
    double recovered = static_cast<double>(now - limit.slowdown_at) / (kRecoveryPeriods * spec.per_ms);
    limit.slowdown = std::min(1.0, limit.slowdown + std::max(0.0, recovered) * (1 - kMinSlowdown));
    limit.slowdown_at = now;
  }
  if (spec.kind == LimitSpec::Kind::TokenBucket) {
    double capacity = spec.burst > 0 ? spec.burst : spec.rate;
    if (limit.tokens < 0) limit.tokens = capacity, limit.updated_ms = now;
    double per_ms = spec.rate / static_cast<double>(spec.per_ms) * limit.slowdown;
    limit.tokens = std::min(capacity, limit.tokens + static_cast<double>(now - limit.updated_ms) * per_ms);
    limit.updated_ms = now;
    return;
  }
  int64_t window = now - (now % spec.per_ms);
  if (window != limit.window_start) {
    limit.previous = window - limit.window_start == spec.per_ms ? limit.current : 0;
    limit.current = 0;
    limit.window_start = window;
  }
}

int64_t RateLimiter::wait_ms(Limit& limit, double cost, int64_t now) const {
  refresh(limit, now);
  int64_t blocked = std::max<int64_t>(0, limit.blocked_until - now);
  const LimitSpec& spec = limit.spec;
  if (spec.kind == LimitSpec::Kind::TokenBucket) {
    if (limit.tokens >= cost) return blocked;
    double per_ms = spec.rate / static_cast<double>(spec.per_ms) * limit.slowdown;
    return std::max(blocked, ceil_ms((cost - limit.tokens) / per_ms));
  }
  double rate = spec.rate * limit.slowdown;
  double per = static_cast<double>(spec.per_ms);
  double elapsed = static_cast<double>(now - limit.window_start);
  double estimate = limit.previous * (1 - elapsed / per) + limit.current;
  if (estimate + cost <= rate) return blocked;
  if (limit.current + cost <= rate && limit.previous > 0) {  // wait for the previous window to fade
    double fraction = 1 - (rate - limit.current - cost) / limit.previous;
    return std::max(blocked, ceil_ms(fraction * per - elapsed));
  }
  if (cost > rate) return std::max<int64_t>(blocked, INT64_MAX / 4);  // never passes
  double fraction = limit.current > 0 ? std::max(0.0, 1 - (rate - cost) / limit.current) : 0;
  return std::max(blocked, ceil_ms(per - elapsed + fraction * per));
}

void RateLimiter::consume(Limit& limit, double cost, int64_t) const {
  if (limit.spec.kind == LimitSpec::Kind::TokenBucket)
    limit.tokens -= cost;
  else
    limit.current += cost;
}

Admission RateLimiter::acquire(const std::vector<std::string>& keys, double cost, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  std::vector<Limit*> involved;
  for (const auto& key : keys)
    for (const auto& level : levels(key)) {
      Limit* limit = &limits_.at(level);
      if (std::find(involved.begin(), involved.end(), limit) == involved.end()) involved.push_back(limit);
    }
  int64_t wait = 0;
  for (Limit* limit : involved) wait = std::max(wait, wait_ms(*limit, cost, now_ms));
  if (wait > 0) return {false, wait};
  for (Limit* limit : involved) consume(*limit, cost, now_ms);
  return {true, 0};
}

void RateLimiter::observe(const std::string& key, const LimitFeedback& feedback, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto names = levels(key);
  if (names.empty()) return;
  Limit& limit = limits_.at(names.back());
  refresh(limit, now_ms);
  bool pushed_back = feedback.retry_after_ms.has_value() ||
                     (feedback.remaining && *feedback.remaining <= 0);
  if (feedback.retry_after_ms)
    limit.blocked_until = std::max(limit.blocked_until, now_ms + *feedback.retry_after_ms);
  if (feedback.remaining && *feedback.remaining <= 0 && feedback.reset_after_ms)
    limit.blocked_until = std::max(limit.blocked_until, now_ms + *feedback.reset_after_ms);
  if (feedback.remaining && feedback.limit && *feedback.limit > 0 &&
      *feedback.remaining < 0.1 * *feedback.limit)
    pushed_back = true;
  if (pushed_back) {
    limit.slowdown = std::max(kMinSlowdown, limit.slowdown * 0.5);
    limit.slowdown_at = now_ms;
    if (limit.spec.kind == LimitSpec::Kind::TokenBucket) limit.tokens = std::min(limit.tokens, 0.0);
  }
}

nlohmann::json RateLimiter::export_state() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, l] : limits_)
    out[key] = {{"tokens", l.tokens},         {"updated_ms", l.updated_ms},
                {"window_start", l.window_start}, {"current", l.current},
                {"previous", l.previous},     {"slowdown", l.slowdown},
                {"slowdown_at", l.slowdown_at}, {"blocked_until", l.blocked_until}};
  return out;
}

void RateLimiter::import_state(const nlohmann::json& state) {
  std::lock_guard lock(mutex_);
  if (!state.is_object()) return;
  for (const auto& [key, s] : state.items()) {
    Limit& l = limits_[key];
    l.tokens = s.value("tokens", -1.0);
    l.updated_ms = s.value("updated_ms", int64_t{0});
    l.window_start = s.value("window_start", int64_t{0});
    l.current = s.value("current", 0.0);
    l.previous = s.value("previous", 0.0);
    l.slowdown = s.value("slowdown", 1.0);
    l.slowdown_at = s.value("slowdown_at", int64_t{0});
    l.blocked_until = s.value("blocked_until", int64_t{0});
  }
}

}  // namespace weft::engine
