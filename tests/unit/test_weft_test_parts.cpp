// The parts of weft test that decide what a test sees: the deep
// comparison and its printed difference, URL patterns of HTTP mocks, and
// test files kept out of a workflows folder.
#include <catch2/catch.hpp>

#include <lua.hpp>

#include <fstream>

#include "api/http_mocks.hpp"
#include "api/lua_compare.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "tests/support/engine_fixture.hpp"

namespace {

// Evaluates `actual` and `expected` (Lua expressions) and describes their difference.
std::string difference(const std::string& actual, const std::string& expected) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  weft::dsl::install_json_markers(L);
  std::string chunk = "local t = {} t.self = t return " + actual + ", " + expected;
  REQUIRE(luaL_dostring(L, chunk.c_str()) == LUA_OK);
  int top = lua_gettop(L);
  std::string out = weft::api::describe_difference(L, 1, 2);
  CHECK(lua_gettop(L) == top);  // the stack is left as found
  lua_close(L);
  return out;
}

}  // namespace

TEST_CASE("equal values have no difference, whatever their key order or number kind", "[weft-test]") {
  CHECK(difference("{a = 1, b = {2, 3}}", "{b = {2, 3}, a = 1.0}").empty());
  CHECK(difference("'x'", "'x'").empty());
  CHECK(difference("t", "t").empty());
  CHECK(difference("{ self = setmetatable({}, {}) }", "{ self = {} }").empty());
}

TEST_CASE("a difference prints both values and the path to it", "[weft-test]") {
  CHECK(difference("{a = 2}", "{a = 1}") == "expected {a = 1} got {a = 2} at .a");
  CHECK(difference("{items = {{email = 'A@x.io'}}}", "{items = {{email = 'a@x.io'}}}") ==
        "expected {items = {{email = \"a@x.io\"}}} got {items = {{email = \"A@x.io\"}}} at .items[1].email");
  CHECK(difference("{1, 2}", "{1, 2, 3}") == "expected {1, 2, 3} got {1, 2} at [3]");
  CHECK(difference("{a = 1, extra = true}", "{a = 1}") == "expected {a = 1} got {a = 1, extra = true} at .extra");
  CHECK(difference("{['two words'] = 1}", "{['two words'] = 2}") ==
        "expected {[\"two words\"] = 2} got {[\"two words\"] = 1} at [\"two words\"]");
  CHECK(difference("nil", "'x'") == "expected \"x\" got nil");
  CHECK(difference("1.5", "1") == "expected 1 got 1.5");
}

TEST_CASE("a difference in long values prints the values where they differ", "[weft-test]") {
  auto out = difference("{name = string.rep('x', 100), n = 1}", "{name = string.rep('x', 100), n = 2}");
  CHECK(out == "at .n: expected 2 got 1");
}

TEST_CASE("tables that hold themselves compare and print without end", "[weft-test]") {
  CHECK(difference("t", "{}") == "expected {} got {self = {self = {self = {self = {self = {self = {…}}}}}}} at .self");
}

TEST_CASE("an HTTP mock's URL pattern matches the whole URL, * any text", "[weft-test]") {
  using weft::api::url_matches;
  CHECK(url_matches("https://api.x.com/v1/items", "https://api.x.com/v1/items"));
  CHECK_FALSE(url_matches("https://api.x.com/v1/items", "https://api.x.com/v1/items?page=2"));
  CHECK(url_matches("https://api.x.com/v1/items*", "https://api.x.com/v1/items?page=2"));
  CHECK(url_matches("https://*.x.com/*/items", "https://eu.x.com/v1/items"));
  CHECK_FALSE(url_matches("https://*.x.com/*/items", "https://eu.x.com/v1/items/3"));
  CHECK(url_matches("*", ""));
  CHECK(url_matches("a*b*c", "aXbYbZc"));
  CHECK_FALSE(url_matches("a*b*c", "aXbYbZ"));
}

TEST_CASE("HTTP mocks answer in order, each its number of times, and record every call", "[weft-test]") {
  weft::api::HttpMocks mocks;
  weft::api::HttpMock failing{"POST", "https://h/*", {}, 2};
  failing.answer.ok = true;
  failing.answer.response.status = 503;
  weft::api::HttpMock ok{"", "https://h/*", {}, -1};
  ok.answer.ok = true;
  ok.answer.response.status = 200;
  size_t first = mocks.add(failing), second = mocks.add(ok);
  weft::stdlib::HttpRequest post;
  post.method = "POST";
  post.url = "https://h/x";
  CHECK(mocks.answer(post)->response.status == 503);
  CHECK(mocks.answer(post)->response.status == 503);
  CHECK(mocks.answer(post)->response.status == 200);
  weft::stdlib::HttpRequest other;
  other.url = "https://elsewhere/";
  CHECK_FALSE(mocks.answer(other));
  CHECK(mocks.calls_of(first).size() == 2);
  CHECK(mocks.calls_of(second).size() == 1);
  auto unmatched = mocks.take_unmatched();
  REQUIRE(unmatched.size() == 1);
  CHECK(unmatched[0].url == "https://elsewhere/");
  CHECK(mocks.take_unmatched().empty());  // each reported once
}

TEST_CASE("a workflows folder never loads its *_test.lua files", "[weft-test]") {
  weft::testing::TempDir dir;
  std::ofstream(dir.path() / "hello.lua")
      << "local weft = require 'weft'\nreturn weft.workflow { name = 'hello', run = function() return 1 end }\n";
  std::ofstream(dir.path() / "hello_test.lua") << "local test = require 'weft.test'\n";
  weft::dsl::LuaWorkflowCatalog catalog(dir.path().string());
  CHECK(catalog.add_folder().empty());
  CHECK(catalog.all().size() == 1);
  CHECK(weft::dsl::is_test_file("flows/a_test.lua"));
  CHECK_FALSE(weft::dsl::is_test_file("flows/_test.lua"));
  CHECK_FALSE(weft::dsl::is_test_file("flows/test.lua"));
}
