// The ctx table and the checks shared by durable calls (see ctx.hpp).
#include "dsl/ctx.hpp"

#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kCtxMeta = "weft.ctx";

void push_ctx_metatable(lua_State* L) {
  if (!luaL_newmetatable(L, kCtxMeta)) return;
  const luaL_Reg methods[] = {{"step", ctx_step},
                              {"_compensate", ctx_compensate},
                              {"sleep", ctx_sleep},
                              {"wait_event", ctx_wait_event},
                              {"child", ctx_child},
                              {"now", ctx_now},
                              {"uuid", ctx_uuid},
                              {"random", ctx_random},
                              {"acquire", ctx_acquire},
                              {nullptr, nullptr}};
  luaL_newlib(L, methods);
  // ctx:saga() is written in Lua (dsl/lua/weft/saga.lua).
  lua_getglobal(L, "require");
  lua_pushstring(L, "weft.saga");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "new");
  lua_setfield(L, -3, "saga");
  lua_pop(L, 1);
  lua_setfield(L, -2, "__index");
}

}  // namespace

void push_ctx(lua_State* L, RunContext& rc) {
  lua_createtable(L, 0, 6);
  lua_pushstring(L, rc.run.id.c_str());
  lua_setfield(L, -2, "run_id");
  lua_pushstring(L, rc.run.workflow.c_str());
  lua_setfield(L, -2, "workflow");
  push_ctx_metatable(L);
  lua_setmetatable(L, -2);
}

RunContext& durable_caller(lua_State* L, const char* fn) {
  if (!lua_istable(L, 1) || !lua_getmetatable(L, 1))
    throw ArgError(1, std::string("ctx expected (call it as ctx:") + fn + "(...))");
  luaL_getmetatable(L, kCtxMeta);
  bool is_ctx = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  if (!is_ctx) throw ArgError(1, std::string("ctx expected (call it as ctx:") + fn + "(...))");
  RunLink* link = run_link(L);
  if (link == nullptr || link->run == nullptr)
    throw std::runtime_error(std::string("ctx:") + fn +
                             " must be called from the workflow's own coroutine, not from a"
                             " coroutine it created");
  if (link->in_step)
    throw std::runtime_error(std::string("ctx:") + fn + " is not allowed inside step '" +
                             link->step_name + "' (durable calls belong to the workflow body)");
  return *link->run;
}

bool must_stop(lua_State* L, RunContext& rc) {
  if (rc.cancel_requested) rc.doom("cancelled", "run cancelled");
  if (rc.run.deadline && rc.now() >= rc.run.deadline)
    rc.doom("timeout", "workflow '" + rc.run.workflow + "' exceeded its timeout");
  if (!rc.doomed()) return false;
  raise_doom(L, rc);
  return true;
}

int raise_doom(lua_State* L, RunContext& rc) {
  push_error_json(L, *rc.doom_error);
  return kRaise;
}

int raise_mismatch(lua_State* L, RunContext& rc, const engine::Decision& decision) {
  rc.doom("non_determinism",
          "workflow '" + rc.run.workflow + "', run " + rc.run.id + ": " + decision.message);
  return raise_doom(L, rc);
}

int push_recorded_outcome(lua_State* L, const engine::HistoryEvent& event) {
  if (event.status == engine::EventStatus::Completed) {
    push_json(L, event.result);
    return 1;
  }
  push_error_json(L, event.error);
  return kRaise;
}

}  // namespace weft::dsl
