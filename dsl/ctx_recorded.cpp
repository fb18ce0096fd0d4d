// os.time, os.clock, os.date and math.random for workflows (recorded.hpp).
#include <sys/time.h>

#include <chrono>
#include <ctime>
#include <random>

#include "dsl/recorded.hpp"
#include "dsl/thread_link.hpp"

namespace weft::dsl {
namespace {

double real_now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::mt19937_64& real_generator() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

}  // namespace

int lua_recorded_time(lua_State* L) {
  if (lua_istable(L, 1)) {  // os.time{year=...}: pure conversion, always UTC
    std::tm tm{};
    auto field = [&](const char* key, int fallback) {
      lua_getfield(L, 1, key);
      int v = lua_isnil(L, -1) ? fallback : static_cast<int>(luaL_checkinteger(L, -1));
      lua_pop(L, 1);
      return v;
    };
    tm.tm_year = field("year", 1970) - 1900;
    tm.tm_mon = field("month", 1) - 1;
    tm.tm_mday = field("day", 1);
    tm.tm_hour = field("hour", 12);
    tm.tm_min = field("min", 0);
    tm.tm_sec = field("sec", 0);
    lua_pushinteger(L, static_cast<lua_Integer>(timegm(&tm)));
    return 1;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(real_now_seconds()));
  return 1;
}

int lua_recorded_clock(lua_State* L) {
  lua_pushnumber(L, static_cast<double>(std::clock()) / CLOCKS_PER_SEC);
  return 1;
}

int lua_recorded_date(lua_State* L) {
  const char* format = luaL_optstring(L, 1, "%c");
  std::time_t t = luaL_opt(L, luaL_checkinteger, 2, static_cast<lua_Integer>(real_now_seconds()));
  bool utc = format[0] == '!';
  if (utc) ++format;
  std::tm tm{};
  utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm);
  if (format[0] == '*' && format[1] == 't') {
    lua_createtable(L, 0, 9);
    auto set = [&](const char* key, int v) {
      lua_pushinteger(L, v);
      lua_setfield(L, -2, key);
    };
    set("year", tm.tm_year + 1900), set("month", tm.tm_mon + 1), set("day", tm.tm_mday);
    set("hour", tm.tm_hour), set("min", tm.tm_min), set("sec", tm.tm_sec);
    set("wday", tm.tm_wday + 1), set("yday", tm.tm_yday + 1);
    lua_pushboolean(L, tm.tm_isdst > 0);
    lua_setfield(L, -2, "isdst");
    return 1;
  }
  char buffer[256];
  size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
  lua_pushlstring(L, buffer, n);
  return 1;
}

int lua_recorded_random(lua_State* L) {
  double r = std::uniform_real_distribution<double>(0.0, 1.0)(real_generator());
  int n = lua_gettop(L);
  if (n == 0) {
    lua_pushnumber(L, r);
    return 1;
  }
  lua_Integer low = 1, high = luaL_checkinteger(L, 1);
  if (n >= 2) low = high, high = luaL_checkinteger(L, 2);
  luaL_argcheck(L, low <= high, n, "interval is empty");
  lua_pushinteger(L, low + static_cast<lua_Integer>(r * static_cast<double>(high - low + 1)));
  return 1;
}

}  // namespace weft::dsl
