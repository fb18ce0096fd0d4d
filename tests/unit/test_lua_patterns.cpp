// Weft's counted Lua patterns (dsl/lua_patterns.cpp) and counted library
// calls (dsl/counted_calls.cpp) against the stock Lua 5.4 functions: the
// same results and the same error messages on a large table of cases, and
// work that stops at the budget instead of running for ever in C (issue 10,
// item 6).
#include <catch2/catch.hpp>

#include <lua.hpp>

#include <string>
#include <vector>

#include "dsl/budget.hpp"
#include "dsl/counted_calls.hpp"
#include "dsl/lua_patterns.hpp"

namespace {

// A plain state with the standard libraries; `counted`: with Weft's
// pattern functions and counted library calls installed.
struct PlainState {
  explicit PlainState(bool counted) : L(luaL_newstate()) {
    luaL_openlibs(L);
    if (counted) {
      lua_getglobal(L, "string");
      weft::dsl::install_counted_patterns(L, -1);
      lua_pop(L, 1);
      weft::dsl::install_counted_library_calls(L);
    }
  }
  ~PlainState() { lua_close(L); }
  PlainState(const PlainState&) = delete;
  PlainState& operator=(const PlainState&) = delete;
  lua_State* L;
};

// Runs `script`, which returns a list of "case => outcome" lines.
std::vector<std::string> outcomes(lua_State* L, const std::string& script) {
  std::vector<std::string> lines;
  if (luaL_dostring(L, script.c_str()) != LUA_OK) {
    lines.push_back(std::string("script failed: ") + lua_tostring(L, -1));
    return lines;
  }
  auto n = lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= static_cast<lua_Integer>(n); ++i) {
    lua_rawgeti(L, -1, i);
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    lines.emplace_back(s, len);
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  return lines;
}

// Serialises results and errors without using the functions under test.
const char* kHarness = R"lua(
local out = {}
local function ser(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "number" then return math.type(v) .. ":" .. tostring(v) end
  if t == "table" then
    local parts = {}
    for i = 1, #v do parts[i] = ser(v[i]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return tostring(v)
end
local function record(label, ...)
  local r = table.pack(...)
  local parts = {}
  for i = 1, r.n do parts[i] = ser(r[i]) end
  out[#out + 1] = label .. " => " .. table.concat(parts, " ")
end
local function run(label, f, ...) record(label, pcall(f, ...)) end
local function gmatch_all(s, p, init)
  local found, it = {}, string.gmatch(s, p, init)
  for _ = 1, 300 do
    local r = table.pack(it())
    if r[1] == nil then break end
    found[#found + 1] = r
  end
  return found
end
)lua";

const char* kPatternCases = R"lua(
local subjects = {
  "", "a", "aaa", "hello world", "  trim me  ", "\t\n x \r\n", "abcabc", "f(a(b)c)d",
  "THE (quick) [brown] {fox}", "x = 1, y = 22, z=333", "a\0b\0c", "key=val; k2=v2",
  "caf\195\169 na\195\175ve", "[]%-^$.*+?", "1.5e10 -3 0x1F", "foo.bar.baz", "a,b,,c,",
  "one two  three", "AbC dEf", "\255\254\0\1", "THE END", "aXbXXc", "((()))", "$100 ^up",
}
local patterns = {
  "", "a", "b", "x", ".", "..", "a*", "a+", "a-", "a?", ".-", ".*", "^", "$", "^$", "^a",
  "a$", "a$b", "^.-$", "%a+", "%A+", "%d+", "%D", "%s*", "%S+", "%w+", "%W", "%l+", "%u+",
  "%p", "%P+", "%c", "%x+", "%g+", "%G", "%.", "%%", "%z", "[abc]", "[^abc]+", "[a-c]+",
  "[a-]", "[-a]", "[]]", "[^]]+", "[%]]", "[a-c-e]", "[%w_]+", "[%a_][%w_]*", "[%s,]+",
  "[\0-\31]", "[\128-\255]+", "%d+%.?%d*", "^%s*(.-)%s*$", "(%w+)=(%w+)", "(%w+)%s*=%s*(%w+)",
  "()a()", "()", "(a)(b)", "((a)(b))", "(a*(.)%w(%s*))", "(.)%1", "(%w)(%w)%2%1", "(a)%1*",
  "%f[%w]%w+", "%f[%W]", "%f[%a]", "%f[%z]", "%f[^%z]", "%b()", "%b[]", "%b{}", "%bab", "%b\0\0",
  "(%b())", "(h)(e)(l)(l)(o)", "x*$", "[.]", "[%.]+", "(.-),", "([^,]*)", "%s*(%S+)%s*",
  "(%d+)%.(%d+)", "a-b", "a.-c", "X+", "(X*)", "()X()", "[^%s]+", "%$%d+", "%^%a+",
  -- malformed and error cases
  "%", "a%", "[a", "[", "[^", "[a-", "[%", "(a", "a)", ")", "%b", "%ba", "%f", "%fa", "%f[a",
  "%1", "(a)%2", "(%1)", "%0", "(()", "((a)", "(a))", "[]", "[^]",
}
for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    local L = string.format("%q ~ %q", s, p)
    run(L .. " find", string.find, s, p)
    run(L .. " find 3", string.find, s, p, 3)
    run(L .. " find -2", string.find, s, p, -2)
    run(L .. " find 0", string.find, s, p, 0)
    run(L .. " find -100", string.find, s, p, -100)
    run(L .. " find #s+1", string.find, s, p, #s + 1)
    run(L .. " find #s+2", string.find, s, p, #s + 2)
    run(L .. " find plain", string.find, s, p, 1, true)
    run(L .. " find plain 2", string.find, s, p, 2, true)
    run(L .. " match", string.match, s, p)
    run(L .. " match 2", string.match, s, p, 2)
    run(L .. " match -3", string.match, s, p, -3)
    run(L .. " gmatch", gmatch_all, s, p)
    run(L .. " gmatch 3", gmatch_all, s, p, 3)
    run(L .. " gmatch -2", gmatch_all, s, p, -2)
    run(L .. " gmatch past end", gmatch_all, s, p, #s + 5)
    run(L .. " gsub <%0>", string.gsub, s, p, "<%0>")
    run(L .. " gsub [%1]", string.gsub, s, p, "[%1]")
    run(L .. " gsub %2%1", string.gsub, s, p, "%2%1")
    run(L .. " gsub %%", string.gsub, s, p, "%%|")
    run(L .. " gsub %x", string.gsub, s, p, "%x")
    run(L .. " gsub trailing %", string.gsub, s, p, "a%")
    run(L .. " gsub number", string.gsub, s, p, 7)
    run(L .. " gsub n=2", string.gsub, s, p, "-", 2)
    run(L .. " gsub n=0", string.gsub, s, p, "-", 0)
    run(L .. " gsub n=-1", string.gsub, s, p, "-", -1)
    local calls = 0
    run(L .. " gsub fn", string.gsub, s, p, function(...)
      calls = calls + 1
      local first = ...
      if calls % 3 == 0 then return nil end
      if calls % 5 == 0 then return false end
      return "{" .. tostring(first) .. ":" .. select("#", ...) .. "}"
    end)
    run(L .. " gsub fn number", string.gsub, s, p, function() return 42 end)
    run(L .. " gsub fn table", string.gsub, s, p, function() return {} end)
    run(L .. " gsub table", string.gsub, s, p,
        { a = "A", hello = false, key = "KEY", ["1"] = "one", [1] = "first", x = true })
  end
end
-- Depth, capture count and argument errors.
run("too complex", string.match, string.rep("a", 250), string.rep("a?", 250))
run("deep but fine", string.match, string.rep("a", 150), string.rep("a?", 150))
run("deep min", string.match, string.rep("a", 300), string.rep("(a)-", 1) .. "$")
run("32 captures", string.match, string.rep("a", 40), string.rep("(a)", 32))
run("33 captures", string.match, string.rep("a", 40), string.rep("(a)", 33))
run("33 position captures", string.find, "abc", string.rep("()", 33))
run("long balanced", string.find, string.rep("(", 500) .. string.rep(")", 500), "%b()")
run("long backref", string.find, string.rep("ab", 300), "^(.+)%1$")
run("no subject", string.find)
run("nil subject", string.find, nil, "x")
run("no pattern", string.match, "x")
run("table pattern", string.gmatch, "x", {})
run("bad init", string.find, "x", "x", "y")
run("float init", string.find, "abc", "c", 2.0)
run("fraction init", string.find, "abc", "c", 2.5)
run("number subject", string.find, 12345, "3")
run("number pattern", string.gsub, 12345, 3, "x")
run("bad repl", string.gsub, "x", "x", true)
run("nil repl", string.gsub, "x", "x")
run("bad max", string.gsub, "x", "x", "y", "z")
run("position in repl", string.gsub, "hello", "()ll", "%1")
run("position table", string.gsub, "hello", "()ll", { [3] = "three" })
run("method match", function() return ("key=value"):match("(%w+)=(%w+)") end)
run("method gsub", function() return ("a b c"):gsub("%s", "_") end)
run("gmatch loop", function()
  local words = {}
  for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do words[#words + 1] = k .. v end
  return table.concat(words, ";")
end)
run("gmatch anchor", gmatch_all, "^a^a", "^a")
run("gmatch empty", gmatch_all, "abc", "")
run("gmatch x*", gmatch_all, "abxxc", "x*")
run("gsub anchored", string.gsub, "aaa", "^a", "b")
run("gsub anchored empty", string.gsub, "aaa", "^", "b")
run("gsub empty matches", string.gsub, "abc", "%w*", "-")
run("gsub error in fn", string.gsub, "abc", "b", function() error("boom") end)
return out
)lua";

const char* kLibraryCases = R"lua(
run("rep", string.rep, "ab", 3)
run("rep sep", string.rep, "ab", 3, ", ")
run("rep 0", string.rep, "ab", 0)
run("rep -1", string.rep, "ab", -1)
run("rep number", string.rep, 12, 2)
run("rep bad n", string.rep, "x", "y")
run("rep bad sep", string.rep, "x", 2, {})
run("rep method bad sep", function() return ("x"):rep(1, {}) end)
run("rep too large", string.rep, "xx", math.maxinteger)
run("format", string.format, "%5d|%-5s|%q|%x|%g", 42, "ab", "a\nb", 255, 1.5)
run("format bad", string.format, "%d", "x")
run("format bad conversion", string.format, "%y", 1)
run("byte", string.byte, "hello", 1, -1)
run("byte default", string.byte, "hello")
run("byte range", string.byte, "hello", -3, 10)
run("byte empty", string.byte, "hello", 4, 2)
run("byte bad", string.byte, {}, 1)
run("char", string.char, 104, 105)
run("char bad", string.char, 256)
run("reverse upper lower", function() return ("AbC"):reverse(), ("AbC"):upper(), ("AbC"):lower() end)
run("upper bad", string.upper)
run("sub", string.sub, "hello", 2, -2)
run("sub neg", string.sub, "hello", -100, 100)
run("sub bad", string.sub, "hello", "x")
run("concat", table.concat, { 1, "b", 3.5 }, "-")
run("concat range", table.concat, { "a", "b", "c", "d" }, ",", 2, 3)
run("concat bad", table.concat, { 1, {}, 3 })
run("concat bad sep", table.concat, { 1 }, {})
run("sort", function() local t = { 5, 2, 8, 1, 9, 3 } table.sort(t) return t end)
run("sort cmp", function() local t = { 5, 2, 8, 1 } table.sort(t, function(a, b) return a > b end) return t end)
run("sort bad", table.sort, { 1, "x", 2 })
run("sort bad cmp", table.sort, { 3, 2, 1 }, 5)
run("move", function() return table.move({ 1, 2, 3 }, 1, 3, 2) end)
run("move bad", table.move, {}, 1, math.maxinteger, 2)
run("insert", function() local t = { 1, 2, 3 } table.insert(t, 1, 0) table.insert(t, 9) return t end)
run("insert bad pos", table.insert, { 1, 2 }, 5, 0)
run("insert wrong args", table.insert, { 1 }, 1, 2, 3)
run("remove", function() local t = { 1, 2, 3 } return table.remove(t, 1), table.remove(t), t end)
run("remove bad pos", table.remove, { 1, 2 }, 7)
run("unpack", table.unpack, { 1, 2, 3 })
run("unpack range", table.unpack, { 1, 2, 3 }, 2, 5)
run("unpack too many", table.unpack, {}, 1, 1e8)
run("utf8.char", utf8.char, 72, 233, 0x10FFFF)
run("utf8.char bad", utf8.char, -1)
run("utf8.len", utf8.len, "caf\195\169")
run("utf8.len bad", utf8.len, "caf\255")
run("utf8.len range", utf8.len, "caf\195\169", 2, -1)
run("utf8.codepoint", utf8.codepoint, "caf\195\169", 1, -1)
run("utf8.codepoint bad", utf8.codepoint, "\255")
run("utf8.offset", utf8.offset, "caf\195\169", 4)
run("utf8.offset bad", utf8.offset, "caf\195\169", 1, 5)
run("utf8.codes", function()
  local cps = {}
  for p, c in utf8.codes("h\195\169!") do cps[#cps + 1] = p .. ":" .. c end
  return table.concat(cps, " ")
end)
run("utf8.codes bad", function() for _ in utf8.codes("a\255") do end end)
return out
)lua";

// Runs `script` in both states and compares, case by case; at least
// `minimum` cases are expected.
void compare(const std::string& script, size_t minimum) {
  PlainState stock(false), counted(true);
  auto expected = outcomes(stock.L, script);
  auto actual = outcomes(counted.L, script);
  REQUIRE(expected.size() >= minimum);
  REQUIRE(actual.size() == expected.size());
  size_t differences = 0;
  for (size_t i = 0; i < expected.size() && differences < 20; ++i) {
    if (actual[i] == expected[i]) continue;
    ++differences;
    CAPTURE(expected[i]);
    CHECK(actual[i] == expected[i]);
  }
  CHECK(differences == 0);
}

// Runs `code` in a counted state under an instruction budget; the error
// message, or "" when it ended without error.
std::string under_budget(const std::string& code, int64_t instructions) {
  PlainState counted(true);
  weft::dsl::Budget budget;
  budget.instruction_limit = instructions;
  weft::dsl::ActiveBudget active(counted.L, budget);
  if (luaL_dostring(counted.L, code.c_str()) == LUA_OK) return "";
  return lua_tostring(counted.L, -1);
}

}  // namespace

TEST_CASE("counted patterns give the results and errors of Lua's own", "[patterns]") {
  compare(std::string(kHarness) + kPatternCases, 60000);
}

TEST_CASE("the counted functions replace the stock ones, methods included", "[patterns]") {
  PlainState stock(false), counted(true);
  for (const char* name : {"find", "match", "gmatch", "gsub", "rep", "sort"}) {
    CAPTURE(name);
    auto function = [&](lua_State* L) {
      luaL_dostring(L, (std::string("return (string.") + name + " or table." + name + ")").c_str());
      lua_CFunction f = lua_tocfunction(L, -1);
      lua_pop(L, 1);
      return f;
    };
    CHECK(function(counted.L) != function(stock.L));
  }
  luaL_dostring(counted.L, "return ('x').match == string.match");
  CHECK(lua_toboolean(counted.L, -1));
}

TEST_CASE("counted library calls give the results and errors of Lua's own", "[patterns]") {
  compare(std::string(kHarness) + kLibraryCases, 50);
}

TEST_CASE("issue 10: a backtracking pattern stops at the instruction budget", "[patterns][limits]") {
  auto code = GENERATE(as<std::string>{},
      "string.match(string.rep('a', 200), string.rep('a*', 8) .. 'b')",
      "string.find(string.rep('a', 200), string.rep('a*', 8) .. 'b')",
      "string.gsub(string.rep('a', 200), string.rep('a*', 8) .. 'b', '')",
      "for _ in string.gmatch(string.rep('a', 200), string.rep('a*', 8) .. 'b') do end",
      "local s = 'x' .. string.rep(' ', 100000) .. 'x' ; s:match('^%s*(.-)%s*$')",
      "string.find(string.rep('(', 100000), string.rep('%b()', 2))",
      "string.find(string.rep('a', 100000), string.rep('a', 50000) .. 'b', 1, true)",
      // a pcall that catches the error cannot go on
      "pcall(string.match, string.rep('a', 200), string.rep('a*', 8) .. 'b') while true do end");
  CAPTURE(code);
  CHECK_THAT(under_budget(code, 100000), Catch::Contains("instruction limit exceeded"));
}

TEST_CASE("patterns that stay within the budget are unaffected by it", "[patterns][limits]") {
  CHECK(under_budget("assert(('  x  '):match('^%s*(.-)%s*$') == 'x')", 100000) == "");
  CHECK(under_budget("assert(select(2, string.rep('a b ', 1000):gsub('%w', '')) == 2000)", 100000) == "");
}

TEST_CASE("issue 10: library calls with large work stop at the instruction budget", "[patterns][limits]") {
  auto code = GENERATE(as<std::string>{},
      "string.rep('', 2^50)",                 // would loop for ever in C
      "string.rep('x', 1e6, ',')",
      "table.move({}, 1, 2^50, 1)",           // would loop for ever in C
      "local t = {} for i = 1, 100000 do t[i] = i end table.sort(t)",
      "local s = string.rep('x', 4e6)",
      "local s = string.rep('0123456789', 1e5) for i = 1, 100 do s:upper() end",
      "local s = string.rep('0123456789', 1e5) for i = 1, 100 do s:reverse() end",
      "local s = string.rep('0123456789', 1e5) for i = 1, 100 do s:sub(2) end",
      "local s = string.rep('0123456789', 1e5) for i = 1, 100 do utf8.len(s) end",
      "local s = string.rep('0123456789', 1e5) for i = 1, 100 do string.format('%s', s) end",
      "local s = string.rep('0123456789', 1e5) for i = 1, 100 do s:byte(1, -1) end",
      "local t = {} for i = 1, 10000 do t[i] = 'abcdefghijklmnop' end "
      "for i = 1, 200 do table.concat(t) end");
  CAPTURE(code);
  CHECK_THAT(under_budget(code, 1000000), Catch::Contains("instruction limit exceeded"));
}
