// weft.ratelimit inside steps: try (answer now), acquire (wait by yielding
// the run's coroutine — the worker thread serves other runs meanwhile),
// observe (slow down as a provider's response asks). Limits are declared
// in workflow declarations (`limits = { ... }`); for a durable wait in the
// workflow body use ctx:acquire.
#include <chrono>
#include <memory>

#include "dsl/async_call.hpp"
#include "dsl/ctx.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "stdlib/http_client.hpp"
#include "dsl/limit_keys.hpp"
#include "stdlib/native_modules.hpp"

namespace weft::stdlib {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

dsl::RunContext& limiter_run(lua_State* L, const char* fn) {
  dsl::require_step(L, fn);
  dsl::RunLink* link = dsl::governing_link(L);
  if (link == nullptr || link->run == nullptr || link->run->limiter == nullptr)
    throw std::runtime_error(std::string(fn) + " can only run inside a workflow step");
  return *link->run;
}

// ratelimit.try(keys [, { cost = 1 }]) -> allowed, retry_after_seconds
int ratelimit_try(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = limiter_run(L, "ratelimit.try");
    auto keys = dsl::limit_keys_arg(L, 1, *rc.limiter);
    engine::Admission admission = rc.limiter->acquire(keys, dsl::limit_cost_arg(L, 2), now_ms());
    lua_pushboolean(L, admission.allowed);
    lua_pushnumber(L, static_cast<double>(admission.retry_after_ms) / 1000.0);
    return 2;
  });
}

// ratelimit.acquire(keys [, { cost = 1, timeout = "1m" }]) -> true, waiting
// without blocking; past `timeout` raises kind "rate_limited" (retryable).
int acquire_body(lua_State* L) {
  dsl::RunContext& rc = limiter_run(L, "ratelimit.acquire");
  auto keys = dsl::limit_keys_arg(L, 1, *rc.limiter);
  double cost = dsl::limit_cost_arg(L, 2);
  int64_t timeout_ms = 60'000;
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "timeout");
    if (!lua_isnil(L, -1)) timeout_ms = static_cast<int64_t>(lua_tonumber(L, -1) * 1000);
    lua_pop(L, 1);
  }
  engine::RateLimiter* limiter = rc.limiter;
  std::string run_id = rc.run.id;
  auto schedule = rc.schedule_after;
  int64_t deadline = now_ms() + timeout_ms;
  return dsl::start_async(L, rc, [&](dsl::AsyncComplete complete) {
    // Each retry holds the attempt alive through its timer; nothing else does.
    auto attempt = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weak = attempt;
    *attempt = [=]() {
      engine::Admission admission = limiter->acquire(keys, cost, now_ms(), run_id);
      if (admission.allowed) {
        complete([](lua_State* L) { lua_pushboolean(L, 1); return 1; });
      } else if (now_ms() + admission.retry_after_ms > deadline) {
        complete([](lua_State* L) {
          dsl::push_error_object(L, "rate_limited", "rate limit wait exceeded its timeout", true);
          return dsl::kRaise;
        });
      } else {
        schedule(admission.retry_after_ms, [self = weak.lock()] { (*self)(); });
      }
    };
    (*attempt)();
  });
}

int ratelimit_acquire(lua_State* L) {
  return dsl::finish_call(L, dsl::guarded(L, acquire_body), dsl::async_continuation);
}

std::optional<double> header_number(lua_State* L, int headers, const char* name) {
  lua_getfield(L, headers, name);
  std::optional<double> value;
  if (lua_isstring(L, -1)) {
    try {
      value = std::stod(lua_tostring(L, -1));
    } catch (const std::exception&) {
    }
  }
  lua_pop(L, 1);
  return value;
}

// ratelimit.observe(key, response): reads X-RateLimit-Limit / -Remaining /
// -Reset (seconds, or an epoch time) and Retry-After from response.headers.
int ratelimit_observe(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::RunContext& rc = limiter_run(L, "ratelimit.observe");
    auto keys = dsl::limit_keys_arg(L, 1, *rc.limiter);
    if (!lua_istable(L, 2)) throw dsl::ArgError(2, "response (table with headers) expected");
    lua_getfield(L, 2, "headers");
    if (!lua_istable(L, -1)) throw dsl::ArgError(2, "response.headers (table) expected");
    int headers = lua_gettop(L);
    int64_t now = now_ms();
    engine::LimitFeedback feedback;
    feedback.limit = header_number(L, headers, "x-ratelimit-limit");
    feedback.remaining = header_number(L, headers, "x-ratelimit-remaining");
    if (auto reset = header_number(L, headers, "x-ratelimit-reset")) {
      double seconds = *reset > 1e9 ? *reset - static_cast<double>(now) / 1000.0 : *reset;
      feedback.reset_after_ms = static_cast<int64_t>(std::max(0.0, seconds) * 1000);
    }
    lua_getfield(L, headers, "retry-after");
    if (lua_isstring(L, -1)) {
      double seconds = retry_after_seconds(lua_tostring(L, -1), now / 1000);
      if (seconds >= 0) feedback.retry_after_ms = static_cast<int64_t>(seconds * 1000);
    }
    lua_pop(L, 1);
    for (const auto& key : keys) rc.limiter->observe(key, feedback, now);
    return 0;
  });
}

}  // namespace

int open_ratelimit(lua_State* L) {
  const luaL_Reg functions[] = {{"try", ratelimit_try},
                                {"acquire", ratelimit_acquire},
                                {"observe", ratelimit_observe},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
