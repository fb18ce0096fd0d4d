// Frozen views and the protected-metatable rules (see frozen.hpp).
#include "dsl/frozen.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kUserMetatables = "weft.user_metatables";  // weak-keyed set
constexpr const char* kFrozenMark = "__weft_frozen";

int refuse_write(lua_State* L) {
  return luaL_error(L, "attempt to modify a read-only library table (libraries are shared by"
                       " every run; copy what you need into a local table)");
}

// `next` over a table, for __pairs of a view.
int raw_next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

// __pairs of a view: iterate the real table (upvalue 1).
int frozen_pairs(lua_State* L) {
  lua_pushcfunction(L, raw_next);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushnil(L);
  return 3;
}

bool raw_field_is_nil(lua_State* L, int table, const char* key) {
  lua_pushstring(L, key);
  bool is_nil = lua_rawget(L, table) == LUA_TNIL;
  lua_pop(L, 1);
  return is_nil;
}

}  // namespace

void install_frozen_support(lua_State* L) {
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kUserMetatables);
}

void push_frozen(lua_State* L, int index) {
  index = lua_absindex(L, index);
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 5);
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, index);
  lua_pushcclosure(L, frozen_pairs, 1);
  lua_setfield(L, -2, "__pairs");
  lua_pushvalue(L, index);
  lua_pushcclosure(L, [](lua_State* L) {
    lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, lua_upvalueindex(1))));
    return 1;
  }, 1);
  lua_setfield(L, -2, "__len");
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, kFrozenMark);
  lua_pushstring(L, "protected");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

bool is_frozen(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return false;
  bool frozen = !raw_field_is_nil(L, lua_gettop(L), kFrozenMark);
  lua_pop(L, 1);
  return frozen;
}

void mark_user_metatable(lua_State* L, int index) {
  index = lua_absindex(L, index);
  lua_getfield(L, LUA_REGISTRYINDEX, kUserMetatables);
  lua_pushvalue(L, index);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

bool is_user_metatable(lua_State* L, int index) {
  index = lua_absindex(L, index);
  lua_getfield(L, LUA_REGISTRYINDEX, kUserMetatables);
  lua_pushvalue(L, index);
  bool user = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return user;
}

int sandbox_rawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (is_frozen(L, 1)) return refuse_write(L);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

int sandbox_setmetatable(lua_State* L) {
  int type = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
  if (lua_getmetatable(L, 1)) {
    bool protected_mt = !is_user_metatable(L, -1) || !raw_field_is_nil(L, lua_gettop(L), "__metatable");
    lua_pop(L, 1);
    if (protected_mt) return luaL_error(L, "cannot change a protected metatable");
  }
  if (type == LUA_TTABLE) {
    if (!raw_field_is_nil(L, 2, "__gc"))
      return luaL_error(L, "finalisers (__gc) are not allowed in workflows: they would run outside"
                           " the run's budget; use a to-be-closed variable (<close>) instead");
    mark_user_metatable(L, 2);
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

int sandbox_getmetatable(lua_State* L) {
  luaL_checkany(L, 1);
  if (!lua_getmetatable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  int mt = lua_gettop(L);
  lua_pushstring(L, "__metatable");
  if (lua_rawget(L, mt) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  if (is_user_metatable(L, mt)) return 1;
  lua_pushstring(L, "protected");
  return 1;
}

}  // namespace weft::dsl
