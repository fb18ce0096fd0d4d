// Named queues: a queued workflow's runs are admitted by priority, then in
// the order they came, never more than the queue's concurrency at once;
// a parked run gives its slot back unless the queue counts parked runs.
#include <catch2/catch.hpp>

#include <set>

#include "engine/content_hash.hpp"
#include "engine/queue_spec.hpp"
#include "tests/support/engine_fixture.hpp"

using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

// Waits for "go" while holding its slot (count_parked), then ends.
const char* kGated = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "gated",
  on = { weft.queue { name = "gate", concurrency = 2, count_parked = true } },
  run = function(ctx, input)
    ctx:wait_event("go")
    return input
  end,
}
)lua";

// Sleeps a minute: gives its slot back while it sleeps.
const char* kSleeper = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "sleeper",
  on = { weft.queue { name = "naps", concurrency = 1 } },
  run = function(ctx, input)
    ctx:step("before", function() return 1 end)
    ctx:sleep("1m")
    return input
  end,
}
)lua";

std::vector<weft::engine::Run> with_status(EngineFixture& f, RunStatus status) {
  weft::engine::RunFilter filter;
  filter.status = status;
  return f.store->runs().list_runs(filter);
}

weft::engine::Run enqueue(EngineFixture& f, const std::string& workflow, int n, int64_t priority) {
  weft::engine::StartOptions options;
  options.priority = priority;
  return f.engine->enqueue_run(workflow, {{"n", n}}, options);
}

}  // namespace

TEST_CASE("a queue admits no more than its concurrency, by priority then in order", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("gated", kGated);
  // Enqueued before any poll: admission sees them all at once.
  std::vector<std::pair<int, int64_t>> sent = {{1, 0}, {2, 5}, {3, 0}, {4, 9}, {5, 5}, {6, -1}};
  std::map<std::string, int> number;
  for (auto [n, priority] : sent) number[enqueue(f, "gated", n, priority).id] = n;
  f.settle();
  // Each round: the runs holding the two slots; one is let go, and the
  // run admitted into its slot is the new one among the waiting.
  std::vector<std::vector<int>> admitted;  // the runs new in each round
  std::set<std::string> seen;
  for (int round = 0; round < 10; ++round) {
    auto waiting = with_status(f, RunStatus::Waiting);
    REQUIRE(waiting.size() <= 2);
    if (waiting.empty()) break;
    std::vector<int> fresh;
    for (const auto& run : waiting)
      if (seen.insert(run.id).second) fresh.push_back(number[run.id]);
    std::sort(fresh.begin(), fresh.end());
    admitted.push_back(fresh);
    if (with_status(f, RunStatus::Pending).size() > 0) CHECK(waiting.size() == 2);
    f.engine->deliver_event(waiting[0].id, "go", nullptr);
    f.settle();
  }
  // 4 (priority 9) and 2 (5) first, then 5 (5), 1 and 3 (0, in order), 6 (-1).
  std::vector<std::vector<int>> expected = {{2, 4}, {5}, {1}, {3}, {6}, {}};
  CHECK(admitted == expected);
  CHECK(with_status(f, RunStatus::Completed).size() == 6);
}

TEST_CASE("a queue's stats count active, waiting by priority, delayed and the oldest wait", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("gated", kGated);
  for (int n = 1; n <= 4; ++n) enqueue(f, "gated", n, n % 2);
  weft::engine::StartOptions later;
  later.delay_ms = 60'000;
  f.engine->enqueue_run("gated", {{"n", 9}}, later);
  f.settle();
  f.clock.advance_ms(1500);
  auto queues = f.catalog->queues();
  REQUIRE(queues.size() == 1);
  auto stats = f.store->runs().queue_stats(queues[0], f.clock.now_ms());
  CHECK(stats.active == 2);
  CHECK(stats.waiting == 2);
  CHECK(stats.waiting_by_priority == std::map<int64_t, int64_t>{{0, 2}});  // both odd ones went first
  CHECK(stats.delayed == 1);
  CHECK(f.clock.now_ms() - stats.oldest_waiting_since == 1500);
}

TEST_CASE("a parked run gives its slot back unless the queue counts parked runs", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("sleeper", kSleeper);
  for (int n = 1; n <= 3; ++n) enqueue(f, "sleeper", n, 0);
  f.settle();
  CHECK(with_status(f, RunStatus::Sleeping).size() == 3);  // concurrency 1, one at a time, all asleep
  f.advance(60'000);
  CHECK(with_status(f, RunStatus::Completed).size() == 3);
}

TEST_CASE("runs started every way go through their workflow's queue", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("gated", kGated);
  f.write_workflow("parent", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "parent",
  run = function(ctx)
    ctx:start("gated", { n = "started" }, { priority = 3 })
    return ctx:child("gated", { n = "child" })
  end,
}
)lua");
  f.engine->start_run("gated", {{"n", "api-1"}});
  f.engine->start_run("gated", {{"n", "api-2"}});
  auto parent = f.start("parent");
  CHECK(with_status(f, RunStatus::Waiting).size() == 3);  // two gated runs and the parent
  auto pending = with_status(f, RunStatus::Pending);
  REQUIRE(pending.size() == 2);  // the started run and the child wait for a slot
  for (const auto& run : pending) CHECK(run.queue == "gate");
  for (const auto& run : with_status(f, RunStatus::Waiting))
    if (run.workflow == "gated") f.engine->deliver_event(run.id, "go", nullptr);
  f.settle();
  auto waiting = with_status(f, RunStatus::Waiting);  // parent, and the two admitted now
  REQUIRE(waiting.size() == 3);
  for (const auto& run : waiting)
    if (run.workflow == "gated") f.engine->deliver_event(run.id, "go", nullptr);
  f.settle();
  auto done = f.run(parent.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["n"] == "child");
}

TEST_CASE("two workflows declaring one queue is a load error", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("gated", kGated);
  CHECK_THROWS_WITH(f.write_workflow("other", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "other",
  on = { weft.queue { name = "gate", concurrency = 1 } },
  run = function(ctx) end,
}
)lua"),
                    Catch::Contains("queue 'gate' is already declared by workflow 'gated'"));
}

TEST_CASE("weft.queue refuses bad declarations", "[engine][queues]") {
  EngineFixture f;
  auto declare = [&](const std::string& queue) {
    f.write_workflow("q", "local weft = require 'weft'\nreturn weft.workflow { name = 'q', on = { " + queue +
                              " }, run = function() end }");
  };
  CHECK_THROWS_WITH(declare("weft.queue { name = 'a b', concurrency = 1 }"), Catch::Contains("may hold only"));
  CHECK_THROWS_WITH(declare("weft.queue { name = 'a', concurrency = 0 }"), Catch::Contains("concurrency must be 1-100000"));
  CHECK_THROWS_WITH(declare("weft.queue { name = 'a' }"), Catch::Contains("concurrency (integer) expected"));
  CHECK_THROWS_WITH(declare("weft.queue { name = 'a', concurrency = 1 }, weft.queue { name = 'b', concurrency = 1 }"),
                    Catch::Contains("one queue at most"));
}

TEST_CASE("runs of a queue no workflow declares any more are claimed as soon as due", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("gated", kGated);
  for (int n = 1; n <= 4; ++n) enqueue(f, "gated", n, 0);
  f.settle();
  REQUIRE(with_status(f, RunStatus::Pending).size() == 2);
  f.write_workflow("gated", R"lua(
local weft = require "weft"
return weft.workflow {
  name = "gated",
  run = function(ctx, input)
    ctx:wait_event("go")
    return input
  end,
}
)lua");
  f.settle();
  CHECK(with_status(f, RunStatus::Waiting).size() == 4);
  CHECK(with_status(f, RunStatus::Pending).empty());
}

namespace {

// At most 2 runs in progress per tenant; each waits for "go".
const char* kPerTenant = R"lua(
local weft = require "weft"
return weft.workflow {
  name = "tenant_sync",
  concurrency = { limit = 2, key = "account.tenant" },
  run = function(ctx, input)
    ctx:wait_event("go")
    return input.n
  end,
}
)lua";

std::map<std::string, int> waiting_by_tenant(EngineFixture& f) {
  std::map<std::string, int> out;
  for (const auto& run : with_status(f, RunStatus::Waiting))
    ++out[run.input.contains("account") ? run.input["account"]["tenant"].get<std::string>() : "(none)"];
  return out;
}

}  // namespace

TEST_CASE("per-key concurrency holds each key's limit under a burst, keys apart", "[engine][queues]") {
  EngineFixture f;
  f.write_workflow("tenant_sync", kPerTenant);
  for (int n = 0; n < 12; ++n)
    f.engine->start_run("tenant_sync", {{"n", n}, {"account", {{"tenant", n % 3 == 0 ? "acme" : "globex"}}}});
  f.engine->start_run("tenant_sync", {{"n", 99}});  // no key: the runs without one share a queue
  f.settle();
  CHECK(waiting_by_tenant(f) == std::map<std::string, int>{{"(none)", 1}, {"acme", 2}, {"globex", 2}});
  CHECK(with_status(f, RunStatus::Pending).size() == 12 + 1 - 4 - 1);
  for (int round = 0; round < 20; ++round) {  // let one acme run go at a time
    auto waiting = with_status(f, RunStatus::Waiting);
    auto acme = std::find_if(waiting.begin(), waiting.end(),
                             [](const auto& run) { return run.input.contains("account") && run.input["account"]["tenant"] == "acme"; });
    if (acme == waiting.end()) break;
    f.engine->deliver_event(acme->id, "go", nullptr);
    f.settle();
    auto now = waiting_by_tenant(f);
    CHECK(now["acme"] <= 2);
    CHECK(now["globex"] == 2);  // untouched by acme's turnover
    CHECK(now["(none)"] == 1);
  }
  int acme_done = 0;
  for (const auto& run : with_status(f, RunStatus::Completed)) acme_done += run.input["account"]["tenant"] == "acme";
  CHECK(acme_done == 4);
  auto queues = f.catalog->queues();
  REQUIRE(queues.size() == 1);
  CHECK(queues[0].name == "tenant_sync#");
  auto stats = f.store->runs().queue_stats(queues[0], f.clock.now_ms());
  CHECK(stats.active == 3);  // globex's two and the keyless one
  CHECK(stats.waiting == 6);
}

TEST_CASE("concurrency declarations are checked when the file loads", "[engine][queues]") {
  EngineFixture f;
  auto declare = [&](const std::string& fields) {
    f.write_workflow("c", "local weft = require 'weft'\nreturn weft.workflow { name = 'c', " + fields +
                              ", run = function() end }");
  };
  CHECK_THROWS_WITH(declare("concurrency = { limit = 0, key = 'tenant' }"), Catch::Contains("limit: expected an integer"));
  CHECK_THROWS_WITH(declare("concurrency = { limit = 2 }"), Catch::Contains("key: expected a path"));
  CHECK_THROWS_WITH(declare("concurrency = { limit = 2, key = 'a..b' }"), Catch::Contains("key: expected a path"));
  CHECK_THROWS_WITH(declare("concurrency = { limit = 2, key = function(i) return i.t end }"),
                    Catch::Contains("a function is not supported yet"));
  CHECK_THROWS_WITH(declare("concurrency = { limit = 2, key = 't', burst = 3 }"), Catch::Contains("unknown field 'burst'"));
  CHECK_THROWS_WITH(declare("concurrency = { limit = 2, key = 't' }, on = { weft.queue { name = 'q', concurrency = 1 } }"),
                    Catch::Contains("cannot go together"));
}

TEST_CASE("a run's per-key queue is its spec's name and the value at the key path", "[engine][queues]") {
  weft::engine::QueueSpec spec{"sync#", "sync", 2, true, "account.tenant"};
  using weft::engine::queue_for;
  CHECK(queue_for(spec, {{"account", {{"tenant", "acme"}}}}) == "sync#acme");
  CHECK(queue_for(spec, {{"account", {{"tenant", 42}}}}) == "sync#42");
  CHECK(queue_for(spec, {{"account", "flat"}}) == "sync#");
  CHECK(queue_for(spec, nlohmann::json::object()) == "sync#");
  std::string long_key(300, 'x');
  CHECK(queue_for(spec, {{"account", {{"tenant", long_key}}}}) == "sync#" + weft::engine::sha256_hex(long_key));
  weft::engine::QueueSpec named{"inbound", "sync", 10, false, ""};
  CHECK(queue_for(named, {{"account", {{"tenant", "acme"}}}}) == "inbound");
  auto [first, last] = weft::engine::queue_range(spec);
  CHECK(first == "sync#");
  CHECK(last == "sync$");
}
