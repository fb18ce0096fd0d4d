// Lua <-> JSON: arrays vs objects, null, integers vs floats, errors by path;
// depth, UTF-8, NUL bytes and budget charges (issue 10).
#include <catch2/catch.hpp>

#include "dsl/budget.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/lua_state.hpp"

using weft::dsl::json;

namespace {
json eval_to_json(weft::dsl::LuaState& state, const char* code) {
  lua_State* L = state.get();
  REQUIRE(luaL_dostring(L, code) == LUA_OK);
  json out = weft::dsl::lua_to_json(L, -1);
  lua_settop(L, 0);
  return out;
}
}  // namespace

TEST_CASE("lua tables convert to JSON arrays and objects", "[json]") {
  weft::dsl::LuaState state({});
  CHECK(eval_to_json(state, "return {1, 2, 3}") == json::parse("[1,2,3]"));
  CHECK(eval_to_json(state, "return {a = 1, b = {true, false}}") ==
        json::parse(R"({"a":1,"b":[true,false]})"));
  CHECK(eval_to_json(state, "return {}") == json::object());
  CHECK(eval_to_json(state, "return 2.5") == json(2.5));
  CHECK(eval_to_json(state, "return require('weft.json').null") == json(nullptr));
}

TEST_CASE("JSON round-trips through Lua keeping empty arrays and nulls", "[json]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  json original = json::parse(R"({"list":[],"obj":{},"n":null,"i":7,"f":1.5,"s":"x"})");
  weft::dsl::push_json(L, original);
  CHECK(weft::dsl::lua_to_json(L, -1) == original);
}

TEST_CASE("unconvertible values name their path", "[json]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  REQUIRE(luaL_dostring(L, "return { items = { 1, function() end } }") == LUA_OK);
  CHECK_THROWS_WITH(weft::dsl::lua_to_json(L, -1, "result"),
                    Catch::Contains("result.items[2]") && Catch::Contains("function"));
}

// Issue 10: hostile values never crash the process and never lose data.

TEST_CASE("issue 10: NUL bytes in keys and strings survive the round trip", "[json][issue10]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  json original = json::parse(R"({"foo\u0000bar": 42, "foo": "a\u0000b", "list": [{"x\u0000": 1}]})");
  weft::dsl::push_json(L, original);
  CHECK(weft::dsl::lua_to_json(L, -1) == original);
  lua_settop(L, 0);
  CHECK(eval_to_json(state, "return { ['a\\0b'] = 1, ['a'] = 2 }") ==
        json::object({{std::string("a\0b", 3), 1}, {"a", 2}}));
}

TEST_CASE("issue 10: tables nested too deep or containing themselves are refused by path",
          "[json][issue10]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  REQUIRE(luaL_dostring(L, "local t = {} t.self = t return t") == LUA_OK);
  CHECK_THROWS_WITH(weft::dsl::lua_to_json(L, -1, "result"),
                    Catch::Contains("result.self.self") && Catch::Contains("nested deeper than 512"));
  lua_settop(L, 0);
  REQUIRE(luaL_dostring(L, "local t = {} for i = 1, 100000 do t = { t } end return t") == LUA_OK);
  CHECK_THROWS_WITH(weft::dsl::lua_to_json(L, -1, "result"), Catch::Contains("nested deeper than 512"));
  lua_settop(L, 0);
  REQUIRE(luaL_dostring(L, "local t = {} for i = 1, 511 do t = { t } end return t") == LUA_OK);
  CHECK(weft::dsl::lua_to_json(L, -1).is_array());  // 512 levels: the limit itself is fine
}

TEST_CASE("issue 10: strings that are not UTF-8 are refused by path, or repaired for errors",
          "[json][issue10]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  REQUIRE(luaL_dostring(L, "return { user = { name = string.sub('caf\\u{e9}', 1, 4) } }") == LUA_OK);
  CHECK_THROWS_WITH(weft::dsl::lua_to_json(L, -1, "result"),
                    Catch::Contains("result.user.name: invalid UTF-8 (byte 0xC3 at offset 3)"));
  CHECK(weft::dsl::lua_to_json(L, -1, "error", weft::dsl::InvalidUtf8::Replace) ==
        json{{"user", {{"name", "caf\xEF\xBF\xBD"}}}});
  lua_settop(L, 0);
  REQUIRE(luaL_dostring(L, "return { ['bad\\255key'] = 1 }") == LUA_OK);
  CHECK_THROWS_WITH(weft::dsl::lua_to_json(L, -1, "result"), Catch::Contains("in a key"));
}

TEST_CASE("issue 10: weft.json.decode refuses deep documents before building them, even in pcall",
          "[json][issue10]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  const char* code = R"(
    local json = require "weft.json"
    local ok, err = pcall(json.decode, string.rep("[", 100000) .. string.rep("]", 100000))
    assert(not ok)
    assert(err.kind == "json", tostring(err.kind))
    local limit = json.decode(string.rep("[", 512) .. string.rep("]", 512))
    local ok2, err2 = pcall(json.decode, string.rep("[", 513) .. string.rep("]", 513))
    return { message = err.message, at_limit = type(limit), over = ok2, over_message = err2.message })";
  REQUIRE(luaL_dostring(L, code) == LUA_OK);
  json out = weft::dsl::lua_to_json(L, -1);
  CHECK_THAT(out["message"].get<std::string>(), Catch::Contains("nested deeper than 512 levels"));
  CHECK(out["at_limit"] == "table");
  CHECK(out["over"] == false);
  CHECK_THAT(out["over_message"].get<std::string>(), Catch::Contains("nested deeper than 512"));
}

TEST_CASE("issue 10: pushing a JSON value deeper than the stored limit throws, never overflows",
          "[json][issue10]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  json deep = json::array();
  json* at = &deep;
  for (int i = 0; i < 5000; ++i) {
    at->push_back(json::array());
    at = &at->back();
  }
  CHECK_THROWS_WITH(weft::dsl::push_json(L, deep), Catch::Contains("nested deeper than"));
  CHECK(lua_gettop(L) == 0);  // nothing left pushed
}

TEST_CASE("issue 10: big conversions are charged to the active Lua budget", "[json][issue10]") {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  REQUIRE(luaL_dostring(L, "local t = {} for i = 1, 200000 do t[i] = i end return t") == LUA_OK);
  int table = lua_gettop(L);
  weft::dsl::Budget budget;
  budget.instruction_limit = 100000;
  {
    weft::dsl::ActiveBudget active(L, budget);
    CHECK_THROWS_WITH(weft::dsl::lua_to_json(L, table), Catch::Contains("instruction limit exceeded"));
  }
  CHECK(budget.exceeded);
  CHECK(weft::dsl::lua_to_json(L, table).size() == 200000);  // no budget active: no limit
}
