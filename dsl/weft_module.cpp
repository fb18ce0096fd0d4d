// The `weft` module (see weft_module.hpp). weft.workflow checks the shape
// of a declaration at load time, so a bad file is refused before any run.
#include "dsl/weft_module.hpp"

#include "dsl/ctx.hpp"
#include "dsl/environment.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/pipeline_spec.hpp"
#include "dsl/webhook_trigger.hpp"
#include "dsl/workflow_spec.hpp"
#include "engine/duration.hpp"
#include "engine/queue_spec.hpp"
#include "engine/schedule_spec.hpp"

namespace weft::dsl {
namespace {

// Runs a declaration function's body under `guarded`; a problem it throws
// is prefixed with the file and line of the call ("wf.lua:12: cron ..."),
// so `weft serve` names the file at fault. Argument errors already are.
template <class Body>
int declared(lua_State* L, Body&& body) {
  return guarded(L, [&body](lua_State* L) {
    try {
      return body(L);
    } catch (const ArgError&) {
      throw;
    } catch (const KindError&) {
      throw;
    } catch (const std::exception& e) {
      luaL_where(L, 1);
      std::string where = lua_tostring(L, -1);
      lua_pop(L, 1);
      throw std::runtime_error(where + e.what());
    }
  });
}

int workflow(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (!declaration_checked(L)) {
    declared(L, [](lua_State* L) {
      read_workflow_spec(L, 1);  // throws with the field at fault
      return 0;
    });
  }
  lua_settop(L, 1);
  luaL_setmetatable(L, "weft.workflow");
  return 1;
}

// (env, declaration) -> the body weft.pipeline.body(declaration) makes,
// from the run's (or the loading file's) own copy of weft.pipeline.
int pipeline_body(lua_State* L) {
  require_in(L, 1, "weft.pipeline");
  lua_getfield(L, -1, "body");
  lua_pushvalue(L, 2);
  lua_call(L, 1, 1);
  return 1;
}

// weft.pipeline { name, steps = { ... }, result = fn, on, retry, ... }: a
// workflow declared as data. Its shape is checked (pipeline_spec.hpp), its
// body made in the declaring file's environment (so "module.function"
// strings resolve from the workflows folder, per run), and the result is
// an ordinary declaration: the same fields, with that body as `run`.
int pipeline(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  bool checked = declaration_checked(L);
  return declared(L, [checked](lua_State* L) {
    if (!checked) check_pipeline(L, 1);
    // Entries are data, with no line of their own: the calls a pipeline
    // makes are located at its weft.pipeline call.
    std::string location = call_location(L);
    lua_pushcfunction(L, pipeline_body);
    push_caller_environment(L);
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
      std::string message = luaL_tolstring(L, -1, nullptr);
      lua_pop(L, 2);
      throw std::runtime_error(message);
    }
    lua_createtable(L, 0, 12);  // the declaration: a raw copy of the table, plus run
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
    lua_insert(L, -2);
    lua_setfield(L, -2, "run");
    mark_pipeline(L, -1, location);
    luaL_setmetatable(L, "weft.workflow");
    if (!checked) read_workflow_spec(L, -1);
    return 1;
  });
}

// weft.array(t) / weft.object(t): mark a table's JSON kind (empty tables).
int mark(lua_State* L, const char* meta) {
  if (lua_isnoneornil(L, 1)) lua_newtable(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  luaL_setmetatable(L, meta);
  return 1;
}
int array(lua_State* L) { return mark(L, "weft.array"); }

// weft.cron "expr" or weft.cron { "expr", zone = ..., overlap = ...,
// catch_up = ..., catch_up_window = "1d" }: a schedule trigger for `on`,
// checked now so a bad expression is refused when the file loads.
int cron(lua_State* L) {
  return declared(L, [](lua_State* L) {
    engine::ScheduleSpec spec;
    if (lua_type(L, 1) == LUA_TSTRING) {
      spec.expr = lua_tostring(L, 1);
    } else if (lua_istable(L, 1)) {
      lua_rawgeti(L, 1, 1);
      if (lua_type(L, -1) != LUA_TSTRING) throw ArgError(1, "cron expression expected as the first item");
      spec.expr = lua_tostring(L, -1);
      lua_pop(L, 1);
      auto text = [&](const char* key, std::string& out) {
        if (lua_getfield(L, 1, key) == LUA_TSTRING) out = lua_tostring(L, -1);
        else if (!lua_isnil(L, -1)) throw ArgError(1, std::string(key) + " must be a string");
        lua_pop(L, 1);
      };
      text("zone", spec.zone);
      text("overlap", spec.overlap);
      text("catch_up", spec.catch_up);
      std::string window;
      text("catch_up_window", window);
      if (!window.empty()) spec.catch_up_window_ms = engine::parse_duration_ms(window);
    } else {
      throw ArgError(1, "cron expression (string) or { expr, zone = ..., ... } expected");
    }
    engine::validate_schedule(spec);
    lua_createtable(L, 0, 6);
    auto set = [&](const char* key, const std::string& value) {
      lua_pushstring(L, value.c_str());
      lua_setfield(L, -2, key);
    };
    set("trigger", "cron");
    set("expr", spec.expr);
    set("zone", spec.zone);
    set("overlap", spec.overlap);
    set("catch_up", spec.catch_up);
    lua_pushinteger(L, spec.catch_up_window_ms);
    lua_setfield(L, -2, "catch_up_window_ms");
    return 1;
  });
}
int object(lua_State* L) { return mark(L, "weft.object"); }

// weft.queue { name = "sync-inbound", concurrency = 10, count_parked = false }:
// every run of the workflow is admitted through this queue (queue_spec.hpp).
int queue(lua_State* L) {
  return declared(L, [](lua_State* L) {
    if (!lua_istable(L, 1)) throw ArgError(1, "{ name = ..., concurrency = N } expected");
    engine::QueueSpec spec;
    if (lua_getfield(L, 1, "name") != LUA_TSTRING) throw ArgError(1, "name (string) expected");
    spec.name = lua_tostring(L, -1);
    if (lua_getfield(L, 1, "concurrency") != LUA_TNUMBER || !lua_isinteger(L, -1))
      throw ArgError(1, "concurrency (integer) expected");
    spec.concurrency = lua_tointeger(L, -1);
    int parked = lua_getfield(L, 1, "count_parked");
    if (parked != LUA_TNIL && parked != LUA_TBOOLEAN) throw ArgError(1, "count_parked must be a boolean");
    spec.count_parked = lua_toboolean(L, -1);
    lua_pop(L, 3);
    engine::validate_queue(spec);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, "queue");
    lua_setfield(L, -2, "trigger");
    lua_pushstring(L, spec.name.c_str());
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, spec.concurrency);
    lua_setfield(L, -2, "concurrency");
    lua_pushboolean(L, spec.count_parked);
    lua_setfield(L, -2, "count_parked");
    return 1;
  });
}

}  // namespace

int open_weft(lua_State* L) {
  luaL_newmetatable(L, "weft.workflow");
  lua_pop(L, 1);
  const luaL_Reg functions[] = {{"workflow", workflow},
                                {"error", lua_make_error},
                                {"array", array},
                                {"object", object},
                                {"cron", cron},
                                {"queue", queue},
                                {"webhook", lua_webhook_trigger},
                                {"pipeline", pipeline},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  push_verify_table(L);
  lua_setfield(L, -2, "verify");
  push_null(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace weft::dsl
