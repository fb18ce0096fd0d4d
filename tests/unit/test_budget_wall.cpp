// The wall-clock part of a budget (issue 10): `budget.wall` in a workflow
// declaration, and a resume stopped by the clock even while it is inside a
// C function (a pattern match) that never returns to the VM.
#include <catch2/catch.hpp>

#include <lua.hpp>

#include <memory>

#include "dsl/budget.hpp"
#include "dsl/counted_calls.hpp"
#include "dsl/lua_patterns.hpp"
#include "dsl/workflow_spec.hpp"

namespace {

// The spec of a declaration given as a Lua table constructor's fields.
weft::dsl::WorkflowSpec spec_of(const std::string& fields) {
  std::unique_ptr<lua_State, void (*)(lua_State*)> state(luaL_newstate(), lua_close);
  lua_State* L = state.get();
  luaL_openlibs(L);
  std::string code = "return { name = 'w', run = function() end, " + fields + " }";
  REQUIRE(luaL_dostring(L, code.c_str()) == LUA_OK);
  return weft::dsl::read_workflow_spec(L, -1);
}

// Runs `code` in a state with the counted functions under a wall-clock
// limit alone; the error message, or "" when it ended.
std::string under_wall_limit(const std::string& code, std::chrono::milliseconds wall) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  lua_getglobal(L, "string");
  weft::dsl::install_counted_patterns(L, -1);
  lua_pop(L, 1);
  weft::dsl::install_counted_library_calls(L);
  std::string error;
  {
    weft::dsl::Budget budget;
    budget.wall_limit = wall;
    weft::dsl::ActiveBudget active(L, budget);
    if (luaL_dostring(L, code.c_str()) != LUA_OK) error = lua_tostring(L, -1);
  }
  lua_close(L);
  return error;
}

}  // namespace

TEST_CASE("budget.wall is read from the declaration, 30 s by default", "[budget]") {
  CHECK(spec_of("").wall_limit_ms == 30'000);
  CHECK(spec_of("budget = { wall = '2s' }").wall_limit_ms == 2'000);
  CHECK(spec_of("budget = { wall = 0.5, instructions = 5000 }").wall_limit_ms == 500);
  CHECK(spec_of("budget = { wall = '1m30s' }").wall_limit_ms == 90'000);
  CHECK_THROWS_WITH(spec_of("budget = { wall = 'soon' }"), Catch::Contains("budget.wall"));
  CHECK_THROWS_WITH(spec_of("budget = { wall = -1 }"), Catch::Contains("budget.wall"));
  CHECK_THROWS_WITH(spec_of("budget = { wall = 0 }"), Catch::Contains("at least 1ms"));
}

TEST_CASE("issue 10: the wall-clock limit stops a resume, inside C calls too", "[budget][limits]") {
  auto code = GENERATE(as<std::string>{},
      "while true do end",
      "string.match(string.rep('a', 200), string.rep('a*', 8) .. 'b')",
      "local s = 'x' .. string.rep(' ', 1000000) .. 'x' ; s:match('^%s*(.-)%s*$')");
  CAPTURE(code);
  CHECK_THAT(under_wall_limit(code, std::chrono::milliseconds(200)),
             Catch::Contains("wall-clock limit exceeded"));
}
