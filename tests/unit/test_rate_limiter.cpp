// Rate limits with the time passed in: exact admission sequences for token
// buckets and sliding windows, all-or-none over hierarchical keys, the
// adaptive slowdown and its decay, per-key buckets, and one limit shared
// through the store.
#include <catch2/catch.hpp>

#include "engine/rate_limiter.hpp"
#include "engine/store_open.hpp"
#include "tests/support/engine_fixture.hpp"

using weft::engine::LimitFeedback;
using weft::engine::LimitSpec;
using weft::engine::RateLimiter;

namespace {

LimitSpec bucket(double rate, int64_t per_ms, double burst = 0) {
  return {LimitSpec::Kind::TokenBucket, rate, per_ms, burst};
}
LimitSpec window(double rate, int64_t per_ms) { return {LimitSpec::Kind::SlidingWindow, rate, per_ms, 0}; }

// Which of the attempts at the given times are admitted ("1" or "0").
std::string admissions(RateLimiter& limiter, const std::string& key, std::vector<int64_t> times) {
  std::string out;
  for (int64_t t : times) out += limiter.acquire({key}, 1, t).allowed ? '1' : '0';
  return out;
}

}  // namespace

TEST_CASE("a token bucket admits its burst, then one per refill interval", "[ratelimit]") {
  RateLimiter limiter;
  limiter.declare("crm", bucket(10, 1000, 3));  // 10 per second, burst 3
  CHECK(admissions(limiter, "crm", {0, 0, 0, 0}) == "1110");
  auto denied = limiter.acquire({"crm"}, 1, 0);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.retry_after_ms == 100);
  CHECK(admissions(limiter, "crm", {99, 100, 150, 200, 200}) == "01010");
  CHECK(admissions(limiter, "crm", {1000}) == "1");
}

TEST_CASE("a sliding window weighs the previous window by its overlap", "[ratelimit]") {
  RateLimiter limiter;
  limiter.declare("api", window(4, 1000));
  CHECK(admissions(limiter, "api", {0, 100, 200, 300, 400}) == "11110");
  // At 1500 half of the previous window (4) still counts: 2 + 0 -> room for 2.
  CHECK(admissions(limiter, "api", {1500, 1500, 1500}) == "110");
  auto denied = limiter.acquire({"api"}, 1, 1500);
  CHECK(denied.retry_after_ms == 250);  // at 1750 the estimate is 1 + 2 = 3
  CHECK(admissions(limiter, "api", {1750, 1751}) == "10");
}

TEST_CASE("hierarchical keys consume from every level or from none", "[ratelimit]") {
  RateLimiter limiter;
  limiter.declare("salesforce", bucket(2, 1000));
  limiter.declare("salesforce:create", bucket(10, 1000));
  limiter.declare("tenant:acme", bucket(1, 1000));
  CHECK(limiter.levels("salesforce:create:lead") ==
        std::vector<std::string>{"salesforce", "salesforce:create"});
  CHECK(limiter.acquire({"salesforce:create", "tenant:acme"}, 1, 0).allowed);
  // tenant:acme is empty now: nothing is taken from salesforce either.
  CHECK_FALSE(limiter.acquire({"salesforce:create", "tenant:acme"}, 1, 0).allowed);
  CHECK(limiter.acquire({"salesforce"}, 1, 0).allowed);
  CHECK_FALSE(limiter.acquire({"salesforce"}, 1, 0).allowed);  // 2 used in all
}

TEST_CASE("Retry-After blocks a limit and the slowdown decays back", "[ratelimit]") {
  RateLimiter limiter;
  limiter.declare("slack", bucket(10, 1000, 10));
  LimitFeedback retry;
  retry.retry_after_ms = 3000;
  limiter.observe("slack", retry, 0);
  auto blocked = limiter.acquire({"slack"}, 1, 100);
  CHECK_FALSE(blocked.allowed);
  CHECK(blocked.retry_after_ms == 2900);
  CHECK(limiter.acquire({"slack"}, 1, 3000).allowed);
  // Half speed right after the push-back: 5 per second instead of 10.
  RateLimiter slowed;
  slowed.declare("slack", bucket(10, 1000, 1));
  LimitFeedback empty;
  empty.limit = 100;
  empty.remaining = 0;
  slowed.observe("slack", empty, 0);
  CHECK(slowed.acquire({"slack"}, 1, 0).retry_after_ms == 200);
  // Ten periods later it is back to full speed.
  CHECK(slowed.acquire({"slack"}, 1, 10'000).allowed);
  CHECK(slowed.acquire({"slack"}, 1, 10'000).retry_after_ms == 100);
}

TEST_CASE("a pattern gives each concrete key its own bucket", "[ratelimit]") {
  RateLimiter limiter;
  limiter.declare("user:*", bucket(1, 60'000));
  limiter.declare("user:vip", bucket(3, 60'000));
  limiter.declare("slack", bucket(100, 1000));
  CHECK(limiter.levels("user:42:create") == std::vector<std::string>{"user:42"});
  CHECK(limiter.levels("user") == std::vector<std::string>{});
  CHECK(admissions(limiter, "user:42", {0, 1, 2}) == "100");
  CHECK(admissions(limiter, "user:43", {3, 4}) == "10");   // its own bucket
  CHECK(admissions(limiter, "user:vip", {5, 6, 7, 8}) == "1110");  // declared exactly: its own spec
  // All or none across a hierarchy that mixes a pattern and a fixed limit.
  CHECK(limiter.acquire({"slack", "user:44"}, 1, 10).allowed);
  CHECK_FALSE(limiter.acquire({"slack", "user:44"}, 1, 11).allowed);
  CHECK_THROWS_WITH(limiter.declare("user:*:x", bucket(1, 1000)), Catch::Contains("whole last level"));
  CHECK_THROWS_WITH(limiter.declare("*", bucket(1, 1000)), Catch::Contains("whole last level"));
  CHECK_THROWS_WITH(limiter.declare("user:4*", bucket(1, 1000)), Catch::Contains("whole last level"));
  CHECK(limiter.levels("user:*").empty());  // a pattern names no bucket of its own
}

TEST_CASE("two limiters on one store draw from one limit", "[ratelimit]") {
  weft::testing::TempDir dir;
  auto store = weft::engine::open_store((dir.path() / "weft.db").string());
  RateLimiter first(&store->limits());
  RateLimiter second(&store->limits());
  for (RateLimiter* limiter : {&first, &second}) limiter->declare("crm:*", bucket(3, 60'000));
  CHECK(first.acquire({"crm:acme"}, 1, 0).allowed);
  CHECK(second.acquire({"crm:acme"}, 1, 1).allowed);
  CHECK(first.acquire({"crm:acme"}, 1, 2).allowed);
  auto denied = second.acquire({"crm:acme"}, 1, 3, "run-7");
  CHECK_FALSE(denied.allowed);
  CHECK(denied.retry_after_ms > 19'000);
  CHECK(second.acquire({"crm:globex"}, 1, 4).allowed);  // another tenant's bucket
  LimitFeedback retry;
  retry.retry_after_ms = 5000;
  first.observe("crm:acme", retry, 5);
  RateLimiter reader(&store->limits());  // declares nothing: shows the state as stored
  auto statuses = first.status(10, 100);
  REQUIRE(statuses.size() == 2);
  auto acme = statuses[0].key == "crm:acme" ? statuses[0] : statuses[1];
  CHECK(acme.declared_as == "crm:*");
  CHECK(acme.waiting == 1);
  CHECK(acme.pushbacks == 1);
  CHECK(acme.blocked_until == 5005);
  CHECK(acme.available < 0.01);
  CHECK(reader.status(10, 100).size() == 2);
  store->limits().prune_limits(1'000'000'000'000'000);
  CHECK(first.status(10, 100).empty());
  CHECK(first.acquire({"crm:acme"}, 1, 20).allowed);  // forgotten: full again
}

TEST_CASE("limit declarations are validated, naming the field", "[ratelimit]") {
  CHECK_THROWS_WITH(weft::engine::parse_limit_spec("crm", {{"per", "1m"}}),
                    Catch::Contains("limits.crm: rate"));
  CHECK_THROWS_WITH(weft::engine::parse_limit_spec("crm", {{"rate", 5}, {"per", "soon"}}),
                    Catch::Contains("per"));
  CHECK_THROWS_WITH(weft::engine::parse_limit_spec("crm", {{"rate", 5}, {"kind", "leaky"}}),
                    Catch::Contains("kind"));
  auto spec = weft::engine::parse_limit_spec("crm", {{"rate", 300}, {"per", "1m"}, {"burst", 50}});
  CHECK(spec.per_ms == 60'000);
  CHECK(spec.burst == 50);
}

TEST_CASE("ctx:acquire waits durably, with a timer in history", "[ratelimit][engine]") {
  weft::testing::EngineFixture f;
  f.write_workflow("limited", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "limited",
  limits = { crm = { rate = 1, per = "10s" } },
  run = function(ctx)
    ctx:acquire("crm")
    ctx:acquire("crm")
    return "through"
  end,
}
)lua");
  auto run = f.start("limited");
  auto parked = f.run(run.id);
  REQUIRE(parked.status == weft::engine::RunStatus::Sleeping);
  auto history = f.history(run.id);
  REQUIRE(history.size() == 2);
  CHECK(history[1].kind == weft::engine::EventKind::Acquire);
  CHECK(history[1].status == weft::engine::EventStatus::Pending);
  CHECK(history[1].fire_at - history[1].started_at == 10'000);
  f.restart();  // the wait survives a restart, and so does the limit's state
  f.advance(9'999);
  CHECK(f.run(run.id).status == weft::engine::RunStatus::Sleeping);
  f.advance(1);
  CHECK(f.run(run.id).result == "through");
}

TEST_CASE("ctx:acquire of an undeclared key is refused", "[ratelimit][engine]") {
  weft::testing::EngineFixture f;
  f.write_workflow("typo", R"lua(
local weft = require "weft"
return weft.workflow { name = "typo", limits = { crm = { rate = 1 } },
  run = function(ctx) ctx:acquire("cmr") end }
)lua");
  auto run = f.start("typo");
  CHECK_THAT(f.run(run.id).error["message"].get<std::string>(),
             Catch::Contains("no rate limit is declared for 'cmr'"));
}

TEST_CASE("a pinned (operator-configured) limit is not changed by a workflow's declaration",
          "[ratelimit]") {
  RateLimiter limiter;
  limiter.pin("crm", bucket(1, 1000));
  limiter.declare("crm", bucket(100, 1000));
  CHECK(admissions(limiter, "crm", {0, 10, 20}) == "100");
  limiter.declare("other", bucket(1, 1000));
  limiter.declare("other", bucket(3, 1000));
  CHECK(admissions(limiter, "other", {0, 10, 20, 30}) == "1110");
}
