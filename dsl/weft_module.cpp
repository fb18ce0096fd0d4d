// The `weft` module (see weft_module.hpp). weft.workflow checks the shape
// of a declaration at load time, so a bad file is refused before any run.
#include "dsl/weft_module.hpp"

#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/webhook_trigger.hpp"
#include "dsl/workflow_spec.hpp"
#include "engine/duration.hpp"
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

}  // namespace

int open_weft(lua_State* L) {
  luaL_newmetatable(L, "weft.workflow");
  lua_pop(L, 1);
  const luaL_Reg functions[] = {{"workflow", workflow},
                                {"error", lua_make_error},
                                {"array", array},
                                {"object", object},
                                {"cron", cron},
                                {"webhook", lua_webhook_trigger},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  push_verify_table(L);
  lua_setfield(L, -2, "verify");
  push_null(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace weft::dsl
