// Lua <-> JSON: arrays vs objects, null, integers vs floats, errors by path.
#include <catch2/catch.hpp>

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
