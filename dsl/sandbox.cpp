// The sandbox: the allow-list of globals lives here and nowhere else.
// Design: libraries are opened, then everything not allowed is removed, so
// a library gaining a function in a new Lua release stays out by default.
#include "dsl/sandbox.hpp"

#include <cstdio>
#include <initializer_list>
#include <string_view>

#include "dsl/counted_calls.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/lua_patterns.hpp"
#include "dsl/module_loader.hpp"
#include "dsl/recorded.hpp"
#include "dsl/redact.hpp"

namespace weft::dsl {
namespace {

const std::initializer_list<std::string_view> kAllowedGlobals = {
    "assert", "error",    "getmetatable", "ipairs", "next",     "pairs",  "pcall",
    "print",  "rawequal", "rawget",       "rawlen", "rawset",   "select", "setmetatable",
    "tonumber", "tostring", "type",       "xpcall", "_G",       "_VERSION", "require",
    "load",   "collectgarbage", "coroutine", "table", "string", "math",   "utf8",
    "os",     "package"};

const std::initializer_list<std::string_view> kAllowedOs = {"time", "clock", "date", "difftime"};
const std::initializer_list<std::string_view> kAllowedPackage = {"loaded", "preload", "searchers"};
// Libraries already in package.loaded that require may hand out.
const std::initializer_list<std::string_view> kAllowedLoaded = {
    "_G", "coroutine", "table", "string", "math", "utf8", "os"};

bool allowed(std::string_view name, std::initializer_list<std::string_view> list) {
  for (auto item : list)
    if (item == name) return true;
  return false;
}

// Removes every string key of the table on top of the stack not in `keep`.
void keep_only(lua_State* L, std::initializer_list<std::string_view> keep) {
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING && !allowed(lua_tostring(L, -1), keep)) {
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, -4);  // clearing an existing field during lua_next is allowed
    }
  }
}

// print writes to stderr: stdout carries results (weft run prints JSON).
int stderr_print(lua_State* L) {
  if (print_redacted(L)) return 0;  // a run's secret values never reach stderr
  int n = lua_gettop(L);
  std::fputs("[lua] ", stderr);
  for (int i = 1; i <= n; ++i) {
    size_t len = 0;
    const char* s = luaL_tolstring(L, i, &len);
    if (i > 1) std::fputc('\t', stderr);
    std::fwrite(s, 1, len, stderr);
    lua_pop(L, 1);
  }
  std::fputc('\n', stderr);
  return 0;
}

// collectgarbage("count") and friends, but not "stop" (it would defeat the
// memory limit) nor generational/incremental tuning.
int safe_collectgarbage(lua_State* L) {
  const char* option = luaL_optstring(L, 1, "collect");
  std::string_view opt(option);
  if (opt == "count") {
    lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT) + lua_gc(L, LUA_GCCOUNTB) / 1024.0);
    return 1;
  }
  if (opt == "collect" || opt == "step") {
    lua_gc(L, opt == "collect" ? LUA_GCCOLLECT : LUA_GCSTEP, 0);
    lua_pushinteger(L, 0);
    return 1;
  }
  return luaL_argerror(L, 1, "only 'count', 'collect' and 'step' are allowed in a workflow");
}

int refuse_global_write(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "assignment to undeclared global '%s' (workflows share a state: use local)",
                    name ? name : "?");
}

}  // namespace

void build_sandbox(lua_State* L, const std::string& workflows_dir) {
  luaL_openlibs(L);
  install_json_markers(L);
  install_error_metatable(L);

  lua_pushglobaltable(L);
  lua_getfield(L, -1, "load");
  lua_setfield(L, LUA_REGISTRYINDEX, "weft.raw_load");
  keep_only(L, kAllowedGlobals);
  lua_pop(L, 1);

  lua_getglobal(L, "os");
  keep_only(L, kAllowedOs);
  lua_pushcfunction(L, lua_recorded_time);
  lua_setfield(L, -2, "time");
  lua_pushcfunction(L, lua_recorded_clock);
  lua_setfield(L, -2, "clock");
  lua_pushcfunction(L, lua_recorded_date);
  lua_setfield(L, -2, "date");
  lua_pop(L, 1);

  lua_getglobal(L, "math");
  lua_pushcfunction(L, lua_recorded_random);
  lua_setfield(L, -2, "random");
  lua_pushnil(L);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  lua_getglobal(L, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");  // no binary chunks in, none out
  install_counted_patterns(L, -1);  // matching counts its steps against the budget
  lua_pop(L, 1);
  install_counted_library_calls(L);  // string.rep, table.sort, utf8...: charged by their work

  lua_getglobal(L, "package");
  keep_only(L, kAllowedPackage);
  lua_getfield(L, -1, "loaded");
  keep_only(L, kAllowedLoaded);  // io and debug were registered by luaL_openlibs
  lua_pop(L, 2);
  install_module_loader(L, workflows_dir);

  lua_pushcfunction(L, stderr_print);
  lua_setglobal(L, "print");
  lua_pushcfunction(L, safe_collectgarbage);
  lua_setglobal(L, "collectgarbage");
  lua_getfield(L, LUA_REGISTRYINDEX, "weft.raw_load");
  lua_pushcclosure(L, [](lua_State* L) {
    lua_settop(L, 4);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_pushstring(L, "t");
    lua_replace(L, 4);
    if (lua_isnone(L, 5) || lua_isnil(L, 5)) {
      lua_pushglobaltable(L);
      lua_replace(L, 5);
    }
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
  }, 1);
  lua_setglobal(L, "load");

  // Protect the global table: runs share a state.
  lua_pushglobaltable(L);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, refuse_global_write);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
}

}  // namespace weft::dsl
