// The sandbox: forbidden functions are refused, runaway scripts fail their
// run and not the process, and load errors carry file and line.
#include <catch2/catch.hpp>

#include "dsl/lua_state.hpp"
#include "tests/support/engine_fixture.hpp"

using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

// Runs `code` in a fresh sandboxed state; returns its error message, or
// "" when it ran without error.
std::string sandbox_error(const std::string& code) {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  if (luaL_dostring(L, code.c_str()) == LUA_OK) return "";
  return lua_tostring(L, -1);
}

std::string workflow_source(const std::string& name, const std::string& body,
                            const std::string& extra = "") {
  return "local weft = require 'weft'\nreturn weft.workflow { name = '" + name + "', " + extra +
         " run = function(ctx, input)\n" + body + "\nend }\n";
}

}  // namespace

TEST_CASE("forbidden functions are not reachable from a workflow", "[sandbox]") {
  auto [code, fragment] = GENERATE(table<std::string, std::string>({
      {"io.write('x')", "global 'io'"},
      {"os.execute('true')", "field 'execute'"},
      {"os.exit(1)", "field 'exit'"},
      {"os.getenv('HOME')", "field 'getenv'"},
      {"os.remove('/tmp/x')", "field 'remove'"},
      {"loadfile('/etc/passwd')", "global 'loadfile'"},
      {"dofile('/etc/passwd')", "global 'dofile'"},
      {"package.loadlib('libc.so.6', 'puts')", "field 'loadlib'"},
      {"debug.getinfo(1)", "global 'debug'"},
      {"string.dump(function() end)", "field 'dump'"},
      {"require('io')", "module 'io' not found"},
      {"require('debug')", "module 'debug' not found"},
      {"require('os').getenv('HOME')", "field 'getenv'"},
      {"require('../../etc/passwd')", "not found"},
      {"collectgarbage('stop')", "only 'count'"},
      {"leaked = 1", "undeclared global 'leaked'"},
  }));
  CAPTURE(code);
  CHECK_THAT(sandbox_error(code), Catch::Contains(fragment));
}

TEST_CASE("load accepts text only, never binary chunks", "[sandbox]") {
  CHECK(sandbox_error("assert(load('return 1'))") == "");
  CHECK_THAT(sandbox_error("local f, err = load('\\27Lua'); error(err)"),
             Catch::Contains("attempt to load a binary chunk"));
}

TEST_CASE("an endless loop fails its run, and the worker goes on", "[sandbox][limits]") {
  EngineFixture f;
  f.write_workflow("spin", workflow_source("spin", "while true do end",
                                           "budget = { instructions = 1000000 },"));
  f.write_workflow("spin_in_step", workflow_source(
      "spin_in_step", "return ctx:step('spin', function() while true do end end)",
      "budget = { instructions = 1000000 },"));
  f.write_workflow("spin_caught", workflow_source(
      "spin_caught", "pcall(function() while true do end end)\nreturn 'escaped'",
      "budget = { instructions = 1000000 },"));
  f.write_workflow("spin_caught_forever", workflow_source(
      "spin_caught_forever", "while true do pcall(function() while true do end end) end",
      "budget = { instructions = 1000000 },"));
  f.write_workflow("fine", workflow_source("fine", "return 'still serving'"));
  for (const char* name : {"spin", "spin_in_step", "spin_caught", "spin_caught_forever"}) {
    CAPTURE(name);
    auto run = f.start(name);
    auto failed = f.run(run.id);
    CHECK(failed.status == RunStatus::Failed);
    CHECK(failed.error["kind"] == "limit_exceeded");
    CHECK_THAT(failed.error["message"].get<std::string>(),
               Catch::Contains("instruction limit exceeded"));
  }
  auto after = f.start("fine");
  CHECK(f.run(after.id).result == "still serving");
}

TEST_CASE("a memory bomb fails its run, and the worker goes on", "[sandbox][limits]") {
  EngineFixture f;
  f.write_workflow("bomb", workflow_source(
      "bomb", "local t = {}\nfor i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end",
      "budget = { memory = '16MB', instructions = 1000000000 },"));
  f.write_workflow("fine", workflow_source("fine", "return 'still serving'"));
  auto run = f.start("bomb");
  auto failed = f.run(run.id);
  CHECK(failed.status == RunStatus::Failed);
  CHECK(failed.error["kind"] == "limit_exceeded");
  CHECK_THAT(failed.error["message"].get<std::string>(), Catch::Contains("memory limit exceeded"));
  auto after = f.start("fine");
  CHECK(f.run(after.id).result == "still serving");
}

TEST_CASE("a syntax error is refused at load with file and line", "[sandbox][load]") {
  EngineFixture f;
  std::string source = "local weft = require 'weft'\nreturn weft.workflow {\n  name = 'broken',\n"
                       "  run = function(ctx) return 1 +  end,\n}\n";
  CHECK_THROWS_WITH(f.write_workflow("broken", source),
                    Catch::Contains("broken.lua:4:") && Catch::Contains("unexpected symbol"));
  CHECK_FALSE(f.catalog->by_name("broken"));
}

TEST_CASE("declarations with bad fields are refused, naming the field", "[sandbox][load]") {
  EngineFixture f;
  auto [extra, fragment] = GENERATE(table<std::string, std::string>({
      {"retry = { attempts = 0 },", "retry.attempts"},
      {"retry = { initial = 'soon' },", "retry.initial"},
      {"retry = { tries = 3 },", "unknown field 'tries'"},
      {"timeout = 'forever',", "timeout"},
      {"budget = { memory = 'lots' },", "budget.memory"},
      {"budget = { wall = 'soon' },", "budget.wall"},
      {"budget = { wall = 0 },", "budget.wall"},
  }));
  CAPTURE(extra);
  CHECK_THROWS_WITH(f.write_workflow("bad", workflow_source("bad", "return 1", extra)),
                    Catch::Contains(fragment));
}

TEST_CASE("I/O primitives and durable calls are refused in the wrong place", "[sandbox]") {
  EngineFixture f;
  f.write_workflow("nested", workflow_source(
      "nested", "return ctx:step('outer', function() return ctx:sleep(1) end)",
      "retry = { attempts = 1 },"));
  auto run = f.start("nested");
  auto failed = f.run(run.id);
  CHECK(failed.status == RunStatus::Failed);
  CHECK_THAT(failed.error["message"].get<std::string>(),
             Catch::Contains("ctx:sleep is not allowed inside step 'outer'"));

  f.write_workflow("yielder", workflow_source("yielder", "coroutine.yield()"));
  auto yielded = f.start("yielder");
  CHECK_THAT(f.run(yielded.id).error["message"].get<std::string>(),
             Catch::Contains("coroutine.yield is not allowed"));
}

TEST_CASE("a result that is not JSON fails the run with a clear message", "[sandbox]") {
  EngineFixture f;
  f.write_workflow("fn_result", workflow_source("fn_result", "return { callback = print }"));
  auto run = f.start("fn_result");
  auto failed = f.run(run.id);
  CHECK(failed.status == RunStatus::Failed);
  CHECK_THAT(failed.error["message"].get<std::string>(),
             Catch::Contains("workflow result.callback") && Catch::Contains("function"));
}

TEST_CASE("coroutines a workflow creates cannot make durable calls", "[sandbox]") {
  EngineFixture f;
  f.write_workflow("own_coroutine", workflow_source("own_coroutine", R"lua(
    local co = coroutine.create(function() return ctx:sleep(1) end)
    local ok, err = coroutine.resume(co)
    local co2 = coroutine.create(function() return os.time() end)
    local ok2, err2 = coroutine.resume(co2)
    return { sleep_refused = not ok and tostring(err), time_refused = not ok2 and tostring(err2) }
  )lua"));
  auto run = f.start("own_coroutine");
  auto done = f.run(run.id);
  REQUIRE(done.status == RunStatus::Completed);
  CHECK_THAT(done.result["sleep_refused"].get<std::string>(),
             Catch::Contains("must be called from the workflow's own coroutine"));
  CHECK_THAT(done.result["time_refused"].get<std::string>(),
             Catch::Contains("not deterministic inside a coroutine created by the workflow"));
}
