// Library functions that charge their work to the budget (see counted_calls.hpp):
// the cost of each, and the one wrapper that charges it.
//
// Design: the wrapper is a C closure holding the original C function and a
// cost kind. It charges what the arguments announce (string.rep's output,
// table.sort's n log n, table.move's element count...), then calls the
// original function *directly*, in its own call frame, so argument errors
// keep their wording ("bad argument #2 to 'rep'"); work only known from
// the result (string.format, table.concat, string.sub) is charged right
// after it, which memory limits already bound. No C++ object lives in
// these frames: charging or the original may raise.
#include "dsl/counted_calls.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "dsl/budget.hpp"

namespace weft::dsl {
namespace {

constexpr double kBytesPerUnit = 16;  // bytes scanned or copied worth one instruction
constexpr double kMaxUnits = 1e15;    // far past any budget, and no overflow
constexpr double kMaxValues = 1e6;    // Lua's stack limit: more results raise at once

enum Cost : lua_Integer {
  kRepeat,        // string.rep: iterations and bytes produced
  kArgBytes,      // bytes of the string argument 1
  kArgCount,      // one per argument (string.char, utf8.char)
  kByteRange,     // values of s[i..j] (string.byte, utf8.codepoint)
  kResultBytes,   // bytes of the string result, after the call
  kSort,          // n log n of the table's length
  kMove,          // table.move: elements moved
  kInsert,        // table.insert at a position: elements shifted up
  kRemove,        // table.remove at a position: elements shifted down
  kUnpack,        // table.unpack: values pushed
};

double string_length(lua_State* L, int arg) {
  if (lua_type(L, arg) == LUA_TSTRING) return static_cast<double>(lua_rawlen(L, arg));
  return lua_type(L, arg) == LUA_TNUMBER ? 32 : 0;  // a number's text
}

double integer_arg(lua_State* L, int arg, double otherwise) {
  int isnum = 0;
  lua_Integer value = lua_tointegerx(L, arg, &isnum);
  return isnum ? static_cast<double>(value) : otherwise;
}

double table_length(lua_State* L, int arg) {
  return lua_type(L, arg) == LUA_TTABLE ? static_cast<double>(lua_rawlen(L, arg)) : 0;
}

// A 1-based position of the string functions (negative: from the end).
double position(double pos, double len) {
  if (pos >= 0) return pos;
  return std::max(0.0, len + pos + 1);
}

// Units the arguments announce, before the call.
double cost_before(lua_State* L, Cost cost) {
  switch (cost) {
    case kRepeat: {
      double n = integer_arg(L, 2, 0);
      if (n <= 0) return 0;
      double bytes = string_length(L, 1) * n + string_length(L, 3) * (n - 1);
      return n + bytes / kBytesPerUnit;
    }
    case kArgBytes:
      return string_length(L, 1) / kBytesPerUnit;
    case kArgCount:
      return lua_gettop(L);
    case kByteRange: {
      double len = string_length(L, 1);
      double i = position(integer_arg(L, 2, 1), len);
      double j = position(integer_arg(L, 3, i), len);
      return std::clamp(j - std::max(i, 1.0) + 1, 0.0, len);
    }
    case kResultBytes:
      return 0;
    case kSort: {
      double n = table_length(L, 1);
      return n < 2 ? 0 : n * std::ceil(std::log2(n));
    }
    case kMove: {
      double f = integer_arg(L, 2, 0), e = integer_arg(L, 3, 0);
      return e >= f ? e - f + 1 : 0;
    }
    case kInsert:  // table.insert(t, pos, v); table.insert(t, v) appends
      if (lua_gettop(L) != 3) return 0;
      return std::max(0.0, table_length(L, 1) - integer_arg(L, 2, 0) + 1);
    case kRemove:  // table.remove(t, pos); table.remove(t) takes the last
      if (lua_isnoneornil(L, 2)) return 0;
      return std::max(0.0, table_length(L, 1) - integer_arg(L, 2, 0));
    case kUnpack: {
      double i = integer_arg(L, 2, 1);
      double j = lua_isnoneornil(L, 3) ? table_length(L, 1) : integer_arg(L, 3, 0);
      return std::min(std::max(0.0, j - i + 1), kMaxValues);
    }
  }
  return 0;
}

void charge_units(lua_State* L, double units) {
  if (units >= 1) charge(L, static_cast<int64_t>(std::min(units, kMaxUnits)));
}

// Upvalue 1: the original function; 2: its cost kind.
int counted_call(lua_State* L) {
  lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
  auto cost = static_cast<Cost>(lua_tointeger(L, lua_upvalueindex(2)));
  charge_units(L, cost_before(L, cost));
  int results = original(L);
  if (cost == kResultBytes && results >= 1 && lua_type(L, -results) == LUA_TSTRING)
    charge_units(L, static_cast<double>(lua_rawlen(L, -results)) / kBytesPerUnit);
  return results;
}

struct Counted {
  const char* library;
  const char* name;
  Cost cost;
};

// string.find/match/gmatch/gsub count their own steps (lua_patterns.cpp).
const Counted kCounted[] = {
    {"string", "rep", kRepeat},        {"string", "format", kResultBytes},
    {"string", "byte", kByteRange},    {"string", "char", kArgCount},
    {"string", "reverse", kArgBytes},  {"string", "upper", kArgBytes},
    {"string", "lower", kArgBytes},    {"string", "sub", kResultBytes},
    {"table", "concat", kResultBytes}, {"table", "sort", kSort},
    {"table", "move", kMove},          {"table", "insert", kInsert},
    {"table", "remove", kRemove},       {"table", "unpack", kUnpack},
    {"utf8", "char", kArgCount},       {"utf8", "len", kArgBytes},
    {"utf8", "codes", kArgBytes},      {"utf8", "codepoint", kByteRange},
    {"utf8", "offset", kArgBytes},
};

// Wraps library[name] if it is a C function without upvalues (the direct
// call would otherwise see the wrapper's upvalues).
void wrap(lua_State* L, const Counted& counted) {
  int top = lua_gettop(L);
  if (lua_getglobal(L, counted.library) != LUA_TTABLE) {
    lua_settop(L, top);
    return;
  }
  lua_getfield(L, -1, counted.name);
  bool plain = lua_iscfunction(L, -1) && lua_getupvalue(L, -1, 1) == nullptr;
  if (plain) {
    lua_pushinteger(L, counted.cost);
    lua_pushcclosure(L, counted_call, 2);
    lua_setfield(L, -2, counted.name);
  }
  lua_settop(L, top);
}

}  // namespace

void install_counted_library_calls(lua_State* L) {
  for (const auto& counted : kCounted) wrap(L, counted);
}

}  // namespace weft::dsl
