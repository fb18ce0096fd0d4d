// Per-run environments (see environment.hpp): their require and load.
#include "dsl/environment.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

#include "dsl/lua_guard.hpp"
#include "dsl/module_loader.hpp"
#include "dsl/sandbox.hpp"

namespace weft::dsl {
namespace {

// The libraries require hands out without loading anything: frozen views.
constexpr const char* kLibraries[] = {"string", "table", "math", "utf8", "coroutine", "os"};

// require(name) with upvalues (loaded, env): the environment's own module
// table, so a module is instantiated once per run and never shared.
int env_require(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  lua_settop(L, 1);
  lua_pushvalue(L, 1);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  int found = guarded(L, [](lua_State* L) {
    return push_module_loader(L, lua_tostring(L, 1), lua_upvalueindex(2)) ? 2 : 1;
  });
  if (found == 1)
    return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, -1));
  lua_pushvalue(L, 1);
  lua_insert(L, -2);         // loader, name, extra
  lua_pushvalue(L, -1);
  lua_insert(L, 2);          // keep extra at 2 for the second result
  lua_call(L, 2, 1);
  if (!lua_isnil(L, -1)) {
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, lua_upvalueindex(1));
  }
  lua_pop(L, 1);
  lua_pushvalue(L, 1);
  if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNIL) {  // the module returned nothing
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, lua_upvalueindex(1));
  }
  lua_pushvalue(L, 2);
  return 2;
}

// load(chunk [, name [, mode [, env]]]) with upvalues (raw load, env):
// text only, and the environment's globals unless env is given.
int env_load(lua_State* L) {
  lua_settop(L, 4);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_pushstring(L, "t");
  lua_replace(L, 4);
  if (lua_isnil(L, 5)) {
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_replace(L, 5);
  }
  lua_call(L, 4, LUA_MULTRET);
  return lua_gettop(L);
}

}  // namespace

void make_environment(lua_State* L, int index) {
  index = lua_absindex(L, index);
  push_sandbox_base(L);
  int base = lua_gettop(L);

  lua_pushvalue(L, index);
  lua_setfield(L, index, "_G");

  lua_createtable(L, 0, 8);  // loaded
  int loaded = lua_gettop(L);
  lua_pushvalue(L, index);
  lua_setfield(L, loaded, "_G");
  for (const char* library : kLibraries) {
    lua_getfield(L, base, library);
    lua_setfield(L, loaded, library);
  }

  lua_createtable(L, 0, 1);  // package
  lua_pushvalue(L, loaded);
  lua_setfield(L, -2, "loaded");
  lua_setfield(L, index, "package");

  lua_pushvalue(L, loaded);
  lua_pushvalue(L, index);
  lua_pushcclosure(L, env_require, 2);
  lua_setfield(L, index, "require");

  push_raw_load(L);
  lua_pushvalue(L, index);
  lua_pushcclosure(L, env_load, 2);
  lua_setfield(L, index, "load");

  lua_settop(L, base - 1);
  push_environment_metatable(L);
  lua_setmetatable(L, index);
}

void push_environment(lua_State* L) {
  lua_createtable(L, 0, 8);
  make_environment(L, -1);
}

void push_caller_environment(lua_State* L) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "f", &ar);
    for (int i = 1;; ++i) {
      const char* name = lua_getupvalue(L, -1, i);
      if (name == nullptr) break;
      if (std::string_view(name) == "_ENV") {
        lua_remove(L, -2);  // the function
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  throw std::runtime_error("no calling Lua code with an environment");
}

void require_in(lua_State* L, int env, const char* name) {
  lua_getfield(L, env, "require");
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
}

}  // namespace weft::dsl
