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

nlohmann::json to_json(const LimitStatus& status) {
  nlohmann::json out = {{"key", status.key},
                        {"available", status.available < 0 ? nlohmann::json(nullptr) : nlohmann::json(status.available)},
                        {"slowdown", status.slowdown},
                        {"waiting", status.waiting},
                        {"pushbacks", status.pushbacks},
                        {"updated_at", status.updated_at}};
  if (!status.declared_as.empty()) {
    const LimitSpec& spec = status.spec;
    out["declared_as"] = status.declared_as;
    out["rate"] = spec.rate;
    out["per_ms"] = spec.per_ms;
    out["kind"] = spec.kind == LimitSpec::Kind::TokenBucket ? "bucket" : "window";
    if (spec.kind == LimitSpec::Kind::TokenBucket) out["burst"] = spec.burst > 0 ? spec.burst : spec.rate;
  }
  if (status.blocked_until) out["blocked_until"] = status.blocked_until;
  if (status.last_pushback_at) out["last_pushback_at"] = status.last_pushback_at;
  return out;
}

void RateLimiter::declare(const std::string& key, const LimitSpec& spec) {
  size_t star = key.find('*');
  if (star != std::string::npos && (star + 1 != key.size() || star < 2 || key[star - 1] != ':'))
    throw std::invalid_argument("limits." + key + ": '*' may only be a whole last level, as in \"user:*\"");
  std::lock_guard lock(mutex_);
  Declared& declared = declared_[key];
  if (!declared.pinned) declared.spec = spec;
}

void RateLimiter::pin(const std::string& key, const LimitSpec& spec) {
  declare(key, spec);
  std::lock_guard lock(mutex_);
  declared_[key] = {spec, true};
}

bool RateLimiter::declared(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return declared_.count(key) > 0;
}

const std::pair<const std::string, RateLimiter::Declared>* RateLimiter::declaration(
    const std::string& level) const {
  if (level.find('*') != std::string::npos) return nullptr;  // a pattern is no concrete key
  auto exact = declared_.find(level);
  if (exact != declared_.end()) return &*exact;
  size_t last = level.rfind(':');
  if (last == std::string::npos) return nullptr;
  auto pattern = declared_.find(level.substr(0, last + 1) + "*");
  return pattern == declared_.end() ? nullptr : &*pattern;
}

std::vector<std::string> RateLimiter::levels(const std::string& key) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [level, spec] : levels_with_specs({key})) out.push_back(level);
  return out;
}

RateLimiter::Levels RateLimiter::levels_with_specs(const std::vector<std::string>& keys) const {
  Levels out;
  for (const auto& key : keys)
    for (size_t at = key.find(':');; at = key.find(':', at + 1)) {
      std::string level = key.substr(0, at);
      bool seen = std::any_of(out.begin(), out.end(), [&](const auto& l) { return l.first == level; });
      if (auto* found = declaration(level); found && !seen) out.emplace_back(level, found->second.spec);
      if (at == std::string::npos) break;
    }
  return out;
}

nlohmann::json RateLimiter::State::to_json() const {
  return {{"tokens", tokens},         {"updated_ms", updated_ms},   {"window_start", window_start},
          {"current", current},       {"previous", previous},       {"slowdown", slowdown},
          {"slowdown_at", slowdown_at}, {"blocked_until", blocked_until}, {"waiting", waiting},
          {"pushbacks", pushbacks},   {"last_pushback_at", last_pushback_at}};
}

RateLimiter::State RateLimiter::State::from_json(const nlohmann::json& json) {
  State s;
  if (!json.is_object()) return s;
  s.tokens = json.value("tokens", -1.0);
  s.updated_ms = json.value("updated_ms", int64_t{0});
  s.window_start = json.value("window_start", int64_t{0});
  s.current = json.value("current", 0.0);
  s.previous = json.value("previous", 0.0);
  s.slowdown = json.value("slowdown", 1.0);
  s.slowdown_at = json.value("slowdown_at", int64_t{0});
  s.blocked_until = json.value("blocked_until", int64_t{0});
  if (json.contains("waiting") && json["waiting"].is_object())
    for (const auto& [run, until] : json["waiting"].items())
      if (until.is_number_integer()) s.waiting[run] = until.get<int64_t>();
  s.pushbacks = json.value("pushbacks", int64_t{0});
  s.last_pushback_at = json.value("last_pushback_at", int64_t{0});
  return s;
}

void RateLimiter::with_states(const Levels& levels, int64_t now,
                              const std::function<void(std::vector<State*>&)>& fn) {
  if (!shared_) {
    std::vector<State*> states;
    for (const auto& [level, spec] : levels) states.push_back(&local_[level]);
    fn(states);
    return;
  }
  std::vector<std::string> keys;
  for (const auto& [level, spec] : levels) keys.push_back(level);
  shared_->update_limits(keys, now, [&](RateLimitStore::States& stored) {
    std::vector<State> loaded;
    for (const auto& key : keys) loaded.push_back(State::from_json(stored.count(key) ? stored[key] : nullptr));
    std::vector<State*> states;
    for (auto& state : loaded) states.push_back(&state);
    fn(states);
    for (size_t i = 0; i < keys.size(); ++i) stored[keys[i]] = loaded[i].to_json();
  });
}

void RateLimiter::refresh(const LimitSpec& spec, State& limit, int64_t now) {
  if (limit.slowdown < 1) {
    double recovered = static_cast<double>(now - limit.slowdown_at) / (kRecoveryPeriods * spec.per_ms);
    limit.slowdown = std::min(1.0, limit.slowdown + std::max(0.0, recovered) * (1 - kMinSlowdown));
    limit.slowdown_at = now;
  }
  for (auto it = limit.waiting.begin(); it != limit.waiting.end();)  // runs no longer waiting
    it = it->second < now ? limit.waiting.erase(it) : std::next(it);
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

int64_t RateLimiter::wait_ms(const LimitSpec& spec, State& limit, double cost, int64_t now) {
  refresh(spec, limit, now);
  int64_t blocked = std::max<int64_t>(0, limit.blocked_until - now);
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

Admission RateLimiter::acquire(const std::vector<std::string>& keys, double cost, int64_t now_ms,
                               const std::string& waiter) {
  std::lock_guard lock(mutex_);
  Levels levels = levels_with_specs(keys);
  Admission admission{true, 0};
  with_states(levels, now_ms, [&](std::vector<State*>& states) {
    std::vector<int64_t> waits;
    for (size_t i = 0; i < states.size(); ++i) waits.push_back(wait_ms(levels[i].second, *states[i], cost, now_ms));
    int64_t wait = waits.empty() ? 0 : *std::max_element(waits.begin(), waits.end());
    if (wait > 0) {
      admission = {false, wait};
      constexpr size_t kMaxWaitersTracked = 1000;
      if (!waiter.empty())
        for (size_t i = 0; i < states.size(); ++i)
          if (waits[i] > 0 && states[i]->waiting.size() < kMaxWaitersTracked) states[i]->waiting[waiter] = now_ms + wait;
      return;
    }
    for (size_t i = 0; i < states.size(); ++i) {
      states[i]->waiting.erase(waiter);
      if (levels[i].second.kind == LimitSpec::Kind::TokenBucket)
        states[i]->tokens -= cost;
      else
        states[i]->current += cost;
    }
  });
  return admission;
}

void RateLimiter::observe(const std::string& key, const LimitFeedback& feedback, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Levels levels = levels_with_specs({key});
  if (levels.empty()) return;
  Levels most_specific{levels.back()};
  const LimitSpec& spec = most_specific[0].second;
  with_states(most_specific, now_ms, [&](std::vector<State*>& states) {
    State& limit = *states[0];
    refresh(spec, limit, now_ms);
    bool pushed_back = feedback.retry_after_ms.has_value() ||
                       (feedback.remaining && *feedback.remaining <= 0);
    if (feedback.retry_after_ms)
      limit.blocked_until = std::max(limit.blocked_until, now_ms + *feedback.retry_after_ms);
    if (feedback.remaining && *feedback.remaining <= 0 && feedback.reset_after_ms)
      limit.blocked_until = std::max(limit.blocked_until, now_ms + *feedback.reset_after_ms);
    if (pushed_back) {
      ++limit.pushbacks;
      limit.last_pushback_at = now_ms;
    }
    if (feedback.remaining && feedback.limit && *feedback.limit > 0 &&
        *feedback.remaining < 0.1 * *feedback.limit)
      pushed_back = true;
    if (pushed_back) {
      limit.slowdown = std::max(kMinSlowdown, limit.slowdown * 0.5);
      limit.slowdown_at = now_ms;
      if (spec.kind == LimitSpec::Kind::TokenBucket) limit.tokens = std::min(limit.tokens, 0.0);
    }
  });
}

std::vector<LimitStatus> RateLimiter::status(int64_t now_ms, int64_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, nlohmann::json>> stored;
  if (shared_) {
    stored = shared_->list_limits(limit);
  } else {
    for (const auto& [key, state] : local_) stored.emplace_back(key, state.to_json());
  }
  std::vector<LimitStatus> out;
  for (const auto& [key, json] : stored) {
    State state = State::from_json(json);
    LimitStatus status;
    status.key = key;
    status.updated_at = std::max(state.updated_ms, state.window_start);
    // A limit no workflow of this process declared (yet) shows its state as stored.
    if (const auto* found = declaration(key)) {
      refresh(found->second.spec, state, now_ms);
      status.declared_as = found->first;
      status.spec = found->second.spec;
    }
    bool window = !status.declared_as.empty() && status.spec.kind == LimitSpec::Kind::SlidingWindow;
    status.available = window ? status.spec.rate * state.slowdown - state.current : state.tokens;
    status.slowdown = state.slowdown;
    status.blocked_until = state.blocked_until > now_ms ? state.blocked_until : 0;
    for (const auto& [run, until] : state.waiting) status.waiting += until >= now_ms ? 1 : 0;
    status.pushbacks = state.pushbacks;
    status.last_pushback_at = state.last_pushback_at;
    out.push_back(std::move(status));
    if (static_cast<int64_t>(out.size()) >= limit) break;
  }
  return out;
}

}  // namespace weft::engine
