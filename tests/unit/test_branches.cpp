// ctx:all, ctx:all_settled and ctx:map: branches of one run, their results
// in branch order, fail-fast and settled outcomes, positions by path in
// history, replay after parks and restarts, overlapping I/O, and limits.
#include <catch2/catch.hpp>

#include <chrono>

#include "tests/fakes/fake_server.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::EventKind;
using weft::engine::EventStatus;
using weft::engine::HistoryEvent;
using weft::engine::PutEvent;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;

namespace {

std::string workflow(const std::string& name, const std::string& body,
                     const std::string& extra = "retry = { attempts = 1 },") {
  return "local weft = require 'weft'\nlocal store = require 'weft.store'\n"
         "local http = require 'weft.http'\n"
         "return weft.workflow { name = '" + name + "', " + extra +
         "\nrun = function(ctx, input)\n" + body + "\nend }\n";
}

const HistoryEvent* event_at(const std::vector<HistoryEvent>& history, const std::string& path) {
  for (const auto& e : history)
    if (e.path == path) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("ctx:all returns results in branch order whatever order the branches end in",
          "[branches]") {
  EngineFixture f;
  f.write_workflow("fanout", workflow("fanout", R"lua(
    local results = ctx:all {
      function() ctx:sleep(30); return ctx:step('a', function() return 'A' end) end,
      function() ctx:sleep(10); return ctx:step('b', function() return 'B' end) end,
      function() return ctx:step('c', function() return 'C' end) end,
    }
    return ctx:step('after', function() return results end)
  )lua"));
  auto run = f.start("fanout");
  CHECK(f.run(run.id).status == RunStatus::Sleeping);
  f.advance(10'000);
  CHECK(f.run(run.id).status == RunStatus::Sleeping);
  f.advance(20'000);
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json::array({"A", "B", "C"}));

  auto history = f.history(run.id);
  REQUIRE(event_at(history, "1/1/1"));
  CHECK(event_at(history, "1/1/1")->kind == EventKind::Sleep);
  CHECK(event_at(history, "1/1/2")->name == "a");
  CHECK(event_at(history, "1/2/2")->name == "b");
  CHECK(event_at(history, "1/3/1")->name == "c");
  CHECK(event_at(history, "2")->name == "after");
  // Branch 3's step ran first: sequence numbers follow execution, paths the code.
  CHECK(event_at(history, "1/3/1")->seq < event_at(history, "1/2/2")->seq);
  CHECK(event_at(history, "1/2/2")->seq < event_at(history, "1/1/2")->seq);
}

TEST_CASE("a failing branch fails ctx:all once the others' running steps are recorded, and"
          " no new durable call starts in them",
          "[branches]") {
  FakeServer server;
  server.on("GET", "/slow", [](const auto&) { return FakeResponse::json(200, {{"ok", true}}).after(std::chrono::milliseconds(100)); });
  EngineFixture f;
  f.write_workflow("failfast", workflow("failfast", R"lua(
    local ok, err = pcall(ctx.all, ctx, {
      function()
        ctx:step('slow', function() return http.get(input.url).status end)
        return ctx:step('never', function() return 1 end)
      end,
      function() return ctx:step('boom', function() error({ kind = 'bad', message = 'boom' }) end) end,
    })
    return { ok = ok, kind = type(err) == 'table' and err.kind or tostring(err),
             message = type(err) == 'table' and err.message or nil }
  )lua"));
  auto run = f.start("failfast", {{"url", server.url("/slow")}});
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result["ok"] == false);
  CHECK(done.result["kind"] == "bad");
  CHECK(done.result["message"] == "boom");
  auto history = f.history(run.id);
  REQUIRE(event_at(history, "1/1/1"));
  CHECK(event_at(history, "1/1/1")->name == "slow");
  CHECK(event_at(history, "1/1/1")->status == EventStatus::Completed);
  CHECK(event_at(history, "1/2/1")->status == EventStatus::Failed);
  CHECK(event_at(history, "1/1/2") == nullptr);
}

TEST_CASE("ctx:all_settled reports each branch's value or error", "[branches]") {
  EngineFixture f;
  f.write_workflow("settled", workflow("settled", R"lua(
    local out = ctx:all_settled {
      function() return ctx:step('one', function() return 1 end) end,
      function() return ctx:step('two', function() error({ kind = 'nope', message = 'no' }) end) end,
      function() return 3 end,
    }
    return { out[1].ok, out[1].value, out[2].ok, out[2].error.kind, out[2].error.message,
             out[3].ok, out[3].value }
  )lua"));
  auto done = f.run(f.start("settled").id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json::array({true, 1, false, "nope", "no", true, 3}));
}

TEST_CASE("ctx:map runs one branch per item, at most `concurrency` at once, results in item order",
          "[branches]") {
  FakeServer server;
  server.on("GET", "/item", [](const auto&) {
    return FakeResponse::json(200, {{"ok", true}}).after(std::chrono::milliseconds(150));
  });
  EngineFixture f;
  f.write_workflow("mapper", workflow("mapper", R"lua(
    local items = {}
    for i = 1, 12 do items[i] = i * 10 end
    return ctx:map(items, function(item, i)
      return ctx:step('fetch', function()
        http.get(input.url)
        return item + i
      end)
    end, { concurrency = 4 })
  )lua"));
  auto done = f.run(f.start("mapper", {{"url", server.url("/item")}}).id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  json expected = json::array();
  for (int i = 1; i <= 12; ++i) expected.push_back(i * 10 + i);
  CHECK(done.result == expected);
  CHECK(server.request_count("/item") == 12);
  CHECK(server.max_in_flight() == 4);
}

TEST_CASE("the HTTP calls of concurrent branches overlap on one worker", "[branches]") {
  FakeServer server;
  server.on("GET", "/slow", [](const auto&) {
    return FakeResponse::json(200, {{"ok", true}}).after(std::chrono::milliseconds(200));
  });
  EngineFixture f;
  f.write_workflow("overlap", workflow("overlap", R"lua(
    local branches = {}
    for i = 1, 50 do
      branches[i] = function() return ctx:step('get', function() return http.get(input.url).status end) end
    end
    return #ctx:all(branches)
  )lua"));
  auto done = f.run(f.start("overlap", {{"url", server.url("/slow")}}).id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == 50);
  CHECK(server.max_in_flight() == 50);
}

TEST_CASE("nested ctx:all calls have nested paths", "[branches]") {
  EngineFixture f;
  f.write_workflow("nested", workflow("nested", R"lua(
    ctx:step('first', function() return 0 end)
    return ctx:all {
      function() return ctx:step('x', function() return 'x' end) end,
      function()
        return ctx:all {
          function() return ctx:step('y', function() return 'y' end) end,
          function() ctx:sleep(5); return ctx:step('z', function() return 'z' end) end,
        }
      end,
    }
  )lua"));
  auto run = f.start("nested");
  f.advance(5'000);
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json::array({"x", json::array({"y", "z"})}));
  auto history = f.history(run.id);
  REQUIRE(event_at(history, "2/2/1/2/2"));
  CHECK(event_at(history, "2/2/1/2/2")->name == "z");
  CHECK(event_at(history, "2/2/1/1/1")->name == "y");
  CHECK(event_at(history, "2/1/1")->name == "x");
}

TEST_CASE("a restart in the middle of a ctx:map executes every completed branch step once",
          "[branches]") {
  EngineFixture f;
  f.write_workflow("counted", workflow("counted", R"lua(
    local items = {}
    for i = 1, 20 do items[i] = i end
    local out = ctx:map(items, function(item)
      ctx:step('before', function()
        local doc = store.get('counts', 'before-' .. item)
        store.put('counts', 'before-' .. item, { n = (doc and doc.doc.n or 0) + 1 })
      end)
      if item % 3 == 0 then ctx:sleep(item) end
      return ctx:step('after', function()
        local doc = store.get('counts', 'after-' .. item)
        store.put('counts', 'after-' .. item, { n = (doc and doc.doc.n or 0) + 1 })
        return item * 2
      end)
    end, { concurrency = 5 })
    local sum = 0
    for _, v in ipairs(out) do sum = sum + v end
    return sum
  )lua"));
  auto run = f.start("counted");
  for (int round = 0; round < 30 && f.run(run.id).status != RunStatus::Completed; ++round) {
    f.restart();  // a new process: what was in memory is gone
    f.advance(3'000);
  }
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == 420);
  for (int item = 1; item <= 20; ++item) {
    for (std::string kind : {"before-", "after-"}) {
      INFO(kind << item);
      auto doc = f.store->documents().get_document("counts", kind + std::to_string(item));
      REQUIRE(doc);
      CHECK(doc->doc["n"] == 1);
    }
  }
}

TEST_CASE("non-determinism inside a ctx:all branch fails the run naming its path", "[branches]") {
  EngineFixture f;
  f.write_workflow("drift", workflow("drift", R"lua(
    return ctx:all {
      function() ctx:sleep(10); return 1 end,
      function() return ctx:step('charge', function() return 2 end) end,
    }
  )lua"));
  auto run = f.start("drift");
  REQUIRE(f.run(run.id).status == RunStatus::Sleeping);
  auto history = f.history(run.id);
  const HistoryEvent* charge = event_at(history, "1/2/1");
  REQUIRE(charge);
  HistoryEvent changed = *charge;  // as if the code at 1/2/1 had called another step
  changed.name = "refund";
  f.store->runs().commit({{run.id, "", {PutEvent{changed}}}});
  f.advance(10'000);
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Failed);
  CHECK(done.error["kind"] == "non_determinism");
  CHECK_THAT(done.error["message"].get<std::string>(),
             Catch::Contains("position 1/2/1") && Catch::Contains("step 'refund'") &&
                 Catch::Contains("step 'charge'"));
}

TEST_CASE("branch counts are bounded by budget.branches and budget.concurrent_branches",
          "[branches]") {
  EngineFixture f;
  f.write_workflow("wide", workflow("wide", R"lua(
    local fns = {}
    for i = 1, input.n do fns[i] = function() return i end end
    local ok, err = pcall(ctx.all, ctx, fns)
    return ok and #err or tostring(err)
  )lua", "budget = { branches = 5, concurrent_branches = 8 },"));
  CHECK(f.run(f.start("wide", {{"n", 5}}).id).result == 5);
  CHECK_THAT(f.run(f.start("wide", {{"n", 6}}).id).result.get<std::string>(),
             Catch::Contains("6 branches, more than the limit of 5 (budget.branches)"));

  f.write_workflow("deep", workflow("deep", R"lua(
    local ok, err = pcall(ctx.all, ctx, {
      -- parked in its sleeps, these two stay alive while the next call asks for four more
      function() return ctx:all { function() ctx:sleep(5) end, function() ctx:sleep(5) end } end,
      function() return ctx:all { function() return 3 end, function() return 4 end,
                                   function() return 5 end, function() return 6 end } end,
    })
    return ok and 'ok' or tostring(err)
  )lua", "budget = { concurrent_branches = 7 },"));
  CHECK_THAT(f.run(f.start("deep").id).result.get<std::string>(),
             Catch::Contains("more than 7 branches alive in this run (budget.concurrent_branches)"));
}

TEST_CASE("ctx:all checks its arguments", "[branches]") {
  EngineFixture f;
  f.write_workflow("bad", workflow("bad", R"lua(
    local ok, err = pcall(ctx.all, ctx, { function() end, 'nope' })
    local ok2, err2 = pcall(ctx.map, ctx, { 1 }, function() end, { concurrency = 0 })
    return { tostring(err), tostring(err2) }
  )lua"));
  auto done = f.run(f.start("bad").id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK_THAT(done.result[0].get<std::string>(), Catch::Contains("branch 2: function expected"));
  CHECK_THAT(done.result[1].get<std::string>(), Catch::Contains("concurrency: expected an integer >= 1"));
}

TEST_CASE("the instruction budget of a resume counts the work of every branch", "[branches]") {
  EngineFixture f;
  f.write_workflow("busy", workflow("busy", R"lua(
    local fns = {}
    for b = 1, input.n do
      fns[b] = function()
        local x = 0
        for i = 1, 10000 do x = x + i end
        return x
      end
    end
    return #ctx:all(fns)
  )lua", "budget = { instructions = 50000 },"));
  auto one = f.run(f.start("busy", {{"n", 1}}).id);
  INFO(one.error.dump());
  CHECK(one.status == RunStatus::Completed);
  auto five = f.run(f.start("busy", {{"n", 5}}).id);
  CHECK(five.status == RunStatus::Failed);
  CHECK(five.error["kind"] == "limit_exceeded");
}

TEST_CASE("saga undos registered in branches compensate in reverse order of completion, also"
          " after a replay",
          "[branches]") {
  EngineFixture f;
  f.write_workflow("trip", workflow("trip", R"lua(
    local saga = ctx:saga()
    ctx:all {
      function()
        ctx:sleep(10)  -- ends last: its undo runs first
        return saga:step('hotel', function() return 'H' end, { undo = function() return 'undo hotel' end })
      end,
      function()
        return saga:step('flight', function() return 'F' end, { undo = function() return 'undo flight' end })
      end,
    }
    ctx:sleep(10)  -- a replay registers the branches' undos in branch order
    ctx:step('pay', function() error({ kind = 'declined', message = 'card declined' }) end)
  )lua"));
  auto run = f.start("trip");
  f.advance(10'000);
  f.advance(10'000);
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Compensated);
  std::vector<std::string> undos;
  for (const auto& e : f.history(run.id))
    if (e.kind == EventKind::Compensation) undos.push_back(e.name);
  CHECK(undos == std::vector<std::string>{"undo:hotel", "undo:flight"});
}

TEST_CASE("wait_event and ctx:child work inside branches", "[branches]") {
  EngineFixture f;
  f.write_workflow("double", workflow("double", R"lua(
    return ctx:step('double', function() return input.n * 2 end)
  )lua"));
  f.write_workflow("joiner", workflow("joiner", R"lua(
    return ctx:all {
      function() return ctx:wait_event('approval').by end,
      function() return ctx:child('double', { n = 21 }) end,
      function() return ctx:wait_event('other', { timeout = 60 }) or 'timed out' end,
    }
  )lua"));
  auto run = f.start("joiner");
  REQUIRE(f.run(run.id).status == RunStatus::Waiting);
  f.engine->deliver_event(run.id, "approval", {{"by", "kim"}});
  f.settle();
  REQUIRE(f.run(run.id).status == RunStatus::Waiting);
  f.advance(60'000);
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  CHECK(done.result == json::array({"kim", 42, "timed out"}));
}

TEST_CASE("values recorded inside branches are replayed at their paths", "[branches]") {
  EngineFixture f;
  f.write_workflow("drawn", workflow("drawn", R"lua(
    return ctx:all {
      function() local id = ctx:uuid(); ctx:sleep(5); return id end,
      function() local r = ctx:random(); ctx:sleep(1); return r end,
    }
  )lua"));
  auto run = f.start("drawn");
  f.advance(5'000);  // both branches wake and replay their draws
  auto done = f.run(run.id);
  INFO(done.error.dump());
  REQUIRE(done.status == RunStatus::Completed);
  auto history = f.history(run.id);
  REQUIRE(event_at(history, "1/1/1"));
  CHECK(event_at(history, "1/1/1")->kind == EventKind::Uuid);
  CHECK(done.result[0] == event_at(history, "1/1/1")->result);
  CHECK(done.result[1] == event_at(history, "1/2/1")->result);
}
