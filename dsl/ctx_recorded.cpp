// Recorded values: ctx:now(), ctx:uuid(), ctx:random(), and the sandbox's
// os.time, os.clock, os.date and math.random (recorded.hpp). In a workflow
// body each call takes a sequence number and its value is recorded, so a
// replay sees the same value; inside a step or outside any run they are
// the real clock and generator.
#include <sys/time.h>

#include <chrono>
#include <ctime>

#include "dsl/ctx.hpp"
#include "dsl/ctx_park.hpp"
#include "engine/ids.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/recorded.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

int64_t real_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

nlohmann::json generate(EventKind kind, RunContext* rc) {
  switch (kind) {
    case EventKind::Now:
      return rc ? rc->now() : real_now_ms();
    case EventKind::Uuid:
      return engine::new_uuid();
    default:
      return engine::random_unit();
  }
}

// The run whose body is calling, or null when the real value applies
// (inside a step, outside any run). Throws from a workflow's own coroutine.
RunContext* recording_run(lua_State* L, const char* fn) {
  RunLink* own = run_link(L);
  RunLink* link = governing_link(L);
  if (link == nullptr || link->run == nullptr || link->in_step) return nullptr;
  if (own == nullptr)
    throw std::runtime_error(std::string(fn) +
                             " is not deterministic inside a coroutine created by the workflow;"
                             " call it from the workflow body or inside a step");
  return link->run;
}

// Sets `out` to the value of the next recorded call; returns 0, or kRaise
// when history disagrees (the run is doomed).
int recorded_value(lua_State* L, RunContext& rc, EventKind kind, nlohmann::json& out) {
  if (must_stop(L, rc)) return kRaise;
  std::string name(engine::to_string(kind));
  Decision d = next_call(L, rc, kind, name);
  if (d.action == Decision::Action::Mismatch) return raise_mismatch(L, rc, d);
  if (d.action == Decision::Action::Replay) {
    out = d.recorded->result;
    return 0;
  }
  engine::HistoryEvent event = new_event(rc, d, kind, name);
  event.status = EventStatus::Completed;
  event.ended_at = event.started_at;
  event.result = generate(kind, &rc);
  out = event.result;
  buffer_event(rc, std::move(event));
  return 0;
}

// The value for `kind` as seen by code running on L.
int value_for(lua_State* L, EventKind kind, const char* fn, nlohmann::json& out) {
  RunContext* rc = recording_run(L, fn);
  if (rc == nullptr) {
    out = generate(kind, nullptr);
    return 0;
  }
  return recorded_value(L, *rc, kind, out);
}

int64_t now_ms_for(lua_State* L, const char* fn, int& code) {
  nlohmann::json value;
  code = value_for(L, EventKind::Now, fn, value);
  return code == 0 ? value.get<int64_t>() : 0;
}

// ctx methods: a run's durable calls. Inside a step they return real values.
int ctx_value(lua_State* L, EventKind kind, const char* fn) {
  if (!lua_istable(L, 1)) throw ArgError(1, std::string("ctx expected (call it as ctx:") + fn + "())");
  nlohmann::json value;
  int code = value_for(L, kind, (std::string("ctx:") + fn).c_str(), value);
  if (code) return code;
  if (kind == EventKind::Now) {
    lua_pushnumber(L, static_cast<double>(value.get<int64_t>()) / 1000.0);
    return 1;
  }
  push_json(L, value);
  return 1;
}

}  // namespace

int ctx_now(lua_State* L) {
  return finish_call(L, guarded(L, [](lua_State* L) { return ctx_value(L, EventKind::Now, "now"); }),
                     nullptr);
}

int ctx_uuid(lua_State* L) {
  return finish_call(
      L, guarded(L, [](lua_State* L) { return ctx_value(L, EventKind::Uuid, "uuid"); }), nullptr);
}

int ctx_random(lua_State* L) {
  return finish_call(
      L, guarded(L, [](lua_State* L) { return ctx_value(L, EventKind::Random, "random"); }),
      nullptr);
}

int lua_recorded_time(lua_State* L) {
  if (lua_istable(L, 1)) {  // os.time{year=...}: a pure conversion, in UTC
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
  int code = guarded(L, [](lua_State* L) {
    int c = 0;
    int64_t ms = now_ms_for(L, "os.time", c);
    if (c) return c;
    lua_pushinteger(L, ms / 1000);
    return 1;
  });
  return finish_call(L, code, nullptr);
}

// In a workflow body there is no meaningful CPU time: os.clock is the
// recorded clock in seconds, so differences still measure elapsed time.
int lua_recorded_clock(lua_State* L) {
  int code = guarded(L, [](lua_State* L) {
    if (recording_run(L, "os.clock") == nullptr) {
      lua_pushnumber(L, static_cast<double>(std::clock()) / CLOCKS_PER_SEC);
      return 1;
    }
    int c = 0;
    int64_t ms = now_ms_for(L, "os.clock", c);
    if (c) return c;
    lua_pushnumber(L, static_cast<double>(ms) / 1000.0);
    return 1;
  });
  return finish_call(L, code, nullptr);
}

int lua_recorded_date(lua_State* L) {
  const char* format = luaL_optstring(L, 1, "%c");
  int code = guarded(L, [format](lua_State* L) {
    std::time_t t;
    if (lua_isnoneornil(L, 2)) {
      int c = 0;
      int64_t ms = now_ms_for(L, "os.date", c);
      if (c) return c;
      t = static_cast<std::time_t>(ms / 1000);
    } else {
      t = static_cast<std::time_t>(luaL_checkinteger(L, 2));
    }
    const char* f = format;
    bool utc = f[0] == '!';
    if (utc) ++f;
    std::tm tm{};
    utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm);
    if (f[0] == '*' && f[1] == 't') {
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
    size_t n = std::strftime(buffer, sizeof buffer, f, &tm);
    lua_pushlstring(L, buffer, n);
    return 1;
  });
  return finish_call(L, code, nullptr);
}

int lua_recorded_random(lua_State* L) {
  int code = guarded(L, [](lua_State* L) {
    nlohmann::json value;
    int c = value_for(L, EventKind::Random, "math.random", value);
    if (c) return c;
    double r = value.get<double>();
    int n = lua_gettop(L);
    if (n == 0) {
      lua_pushnumber(L, r);
      return 1;
    }
    lua_Integer low = 1, high = luaL_checkinteger(L, 1);
    if (n >= 2) low = high, high = luaL_checkinteger(L, 2);
    if (low > high) throw ArgError(n, "interval is empty");
    lua_pushinteger(L, low + static_cast<lua_Integer>(r * static_cast<double>(high - low + 1)));
    return 1;
  });
  return finish_call(L, code, nullptr);
}

}  // namespace weft::dsl
