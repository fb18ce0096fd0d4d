// The sandbox: the allow-list of globals lives here and nowhere else.
// Design: libraries are opened, then everything not allowed is removed, so
// a library gaining a function in a new Lua release stays out by default.
// What remains is moved into a base table only environments read through,
// with each library behind a frozen view (frozen.hpp): runs share the
// state, never anything they can write.
#include "dsl/sandbox.hpp"

#include <cstdio>
#include <initializer_list>
#include <string_view>

#include "dsl/counted_calls.hpp"
#include "dsl/environment.hpp"
#include "dsl/frozen.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/lua_patterns.hpp"
#include "dsl/module_loader.hpp"
#include "dsl/recorded.hpp"
#include "dsl/redact.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kBase = "weft.sandbox_base";
constexpr const char* kEnvironmentMeta = "weft.environment_meta";
constexpr const char* kRawLoad = "weft.raw_load";

// Functions copied into the base as they are; require, load and _G are
// per environment, and the libraries get frozen views.
const std::initializer_list<const char*> kBaseFunctions = {
    "assert", "error",  "ipairs", "next",  "pairs",    "pcall",   "rawequal", "rawget",
    "rawlen", "select", "tonumber", "tostring", "type", "xpcall", "_VERSION"};
const std::initializer_list<const char*> kLibraries = {"coroutine", "table", "string",
                                                        "math",      "utf8",  "os"};

const std::initializer_list<std::string_view> kAllowedOs = {"time", "clock", "date", "difftime"};

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
  return luaL_error(L, "assignment to undeclared global '%s' (use local)", name ? name : "?");
}

void set_function(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

// Prunes and patches the libraries in place (they are still the real
// tables here; only frozen views of them ever reach workflow code).
void patch_libraries(lua_State* L) {
  lua_getglobal(L, "os");
  keep_only(L, kAllowedOs);
  set_function(L, "time", lua_recorded_time);
  set_function(L, "clock", lua_recorded_clock);
  set_function(L, "date", lua_recorded_date);
  lua_pop(L, 1);

  lua_getglobal(L, "math");
  set_function(L, "random", lua_recorded_random);
  lua_pushnil(L);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  lua_getglobal(L, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");  // no binary chunks in, none out
  install_counted_patterns(L, -1);  // matching counts its steps against the budget
  lua_pop(L, 1);
  install_counted_library_calls(L);  // string.rep, table.sort, utf8...: charged by their work
}

// Builds the base: allowed functions, the sandbox's own replacements, and a
// frozen view of each library (also the strings' __index).
void build_base(lua_State* L) {
  lua_createtable(L, 0, 32);
  int base = lua_gettop(L);
  for (const char* name : kBaseFunctions) {
    lua_getglobal(L, name);
    lua_setfield(L, base, name);
  }
  set_function(L, "print", stderr_print);
  set_function(L, "collectgarbage", safe_collectgarbage);
  set_function(L, "rawset", sandbox_rawset);
  set_function(L, "setmetatable", sandbox_setmetatable);
  set_function(L, "getmetatable", sandbox_getmetatable);
  for (const char* name : kLibraries) {
    lua_getglobal(L, name);
    push_frozen(L, -1);
    lua_setfield(L, base, name);
    lua_pop(L, 1);
  }
  // Strings index the frozen view; their metatable is protected.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, base, "string");
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "protected");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
  lua_setfield(L, LUA_REGISTRYINDEX, kBase);

  lua_createtable(L, 0, 3);
  lua_getfield(L, LUA_REGISTRYINDEX, kBase);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse_global_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "protected");
  lua_setfield(L, -2, "__metatable");
  lua_setfield(L, LUA_REGISTRYINDEX, kEnvironmentMeta);
}

}  // namespace

void push_sandbox_base(lua_State* L) { lua_getfield(L, LUA_REGISTRYINDEX, kBase); }
void push_environment_metatable(lua_State* L) { lua_getfield(L, LUA_REGISTRYINDEX, kEnvironmentMeta); }
void push_raw_load(lua_State* L) { lua_getfield(L, LUA_REGISTRYINDEX, kRawLoad); }

void build_sandbox(lua_State* L, const std::string& workflows_dir) {
  luaL_openlibs(L);
  install_json_markers(L);
  install_error_metatable(L);
  install_frozen_support(L);
  set_workflows_dir(L, workflows_dir);

  lua_getglobal(L, "load");
  lua_setfield(L, LUA_REGISTRYINDEX, kRawLoad);
  patch_libraries(L);
  build_base(L);

  // The state's own globals become an environment like a run's. The
  // registry's _LOADED still holds the real libraries; nothing a workflow
  // can reach leads there.
  lua_pushglobaltable(L);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, -4);
  }
  make_environment(L, -1);
  lua_pop(L, 1);
}

}  // namespace weft::dsl
