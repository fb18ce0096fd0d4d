// The entries of a run's coroutine (see run_entry.hpp).
#include "dsl/run_entry.hpp"

#include "dsl/budget.hpp"
#include "dsl/environment.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::dsl {
namespace {

// Upvalues: 1 the run's environment, 2 the chunk's cache key, 3 its name.
int body_done(lua_State* L, int, lua_KContext) { return lua_gettop(L); }
int body_entry(lua_State* L) {
  int found = guarded(L, [](lua_State* L) {
    return push_declaration(L, lua_upvalueindex(1), lua_tostring(L, lua_upvalueindex(2)), "",
                            lua_tostring(L, lua_upvalueindex(3)))
               ? 1
               : 0;
  });
  if (found == 0) return luaL_error(L, "the workflow file no longer returns weft.workflow { ... }");
  lua_pushliteral(L, "run");
  lua_rawget(L, -2);
  lua_remove(L, -2);
  lua_insert(L, 1);  // run, ctx, input
  lua_callk(L, 2, LUA_MULTRET, 0, body_done);
  return body_done(L, LUA_OK, 0);
}

// Upvalue 1: the run's environment, whose weft.saga compensates.
int compensation_entry(lua_State* L) {
  require_in(L, lua_upvalueindex(1), "weft.saga");
  lua_getfield(L, -1, "compensate");
  lua_pushvalue(L, 1);
  lua_callk(L, 1, 0, 0, body_done);
  return 0;
}

}  // namespace

void push_body_entry(lua_State* co, int env_ref, const std::string& hash,
                     const std::string& chunkname) {
  lua_rawgeti(co, LUA_REGISTRYINDEX, env_ref);
  lua_pushstring(co, hash.c_str());
  lua_pushstring(co, chunkname.c_str());
  lua_pushcclosure(co, body_entry, 3);
}

void push_compensation_entry(lua_State* co, int env_ref) {
  lua_rawgeti(co, LUA_REGISTRYINDEX, env_ref);
  lua_pushcclosure(co, compensation_entry, 1);
}

bool saga_pending(lua_State* L, int index) {
  lua_pushliteral(L, "_saga_undos");
  bool pending = lua_rawget(L, index) == LUA_TTABLE && lua_rawlen(L, -1) > 0;
  lua_pop(L, 1);
  return pending;
}

int resume_run(LuaState& state, lua_State* co, RunContext& rc, int nargs) {
  auto& memory = state.memory();
  memory.exceeded = false;
  memory.resume_limit = memory.used + static_cast<size_t>(rc.spec.memory_limit);
  active_run_link() = &rc.link;
  Budget budget;
  budget.instruction_limit = rc.spec.instruction_budget;
  budget.wall_limit = std::chrono::milliseconds(rc.spec.wall_limit_ms);
  budget.on_exceeded = [&rc](const std::string& reason) { rc.doom("limit_exceeded", reason); };
  int nresults = 0;
  int status;
  {
    ActiveBudget active(co, budget);
    status = lua_resume(co, state.get(), nargs, &nresults);
  }
  active_run_link() = nullptr;
  memory.resume_limit = 0;
  if (memory.exceeded)
    rc.doom("limit_exceeded", "memory limit exceeded (" +
                                  std::to_string(rc.spec.memory_limit >> 20) + " MiB)");
  if (status == LUA_YIELD) lua_pop(co, nresults);
  return status;
}

}  // namespace weft::dsl
