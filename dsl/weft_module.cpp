// The `weft` module (see weft_module.hpp). weft.workflow checks the shape
// of a declaration at load time, so a bad file is refused before any run.
#include "dsl/weft_module.hpp"

#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::dsl {
namespace {

int workflow(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  guarded(L, [](lua_State* L) {
    read_workflow_spec(L, 1);  // throws with the field at fault
    return 0;
  });
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
int object(lua_State* L) { return mark(L, "weft.object"); }

}  // namespace

int open_weft(lua_State* L) {
  luaL_newmetatable(L, "weft.workflow");
  lua_pop(L, 1);
  const luaL_Reg functions[] = {{"workflow", workflow},
                                {"error", lua_make_error},
                                {"array", array},
                                {"object", object},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  push_null(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace weft::dsl
