// The ctx table and the checks shared by durable calls (see ctx.hpp).
#include "dsl/ctx.hpp"

#include "dsl/environment.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/content_hash.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kCtxMeta = "weft.ctx";
// The key of the hidden field naming the run a ctx belongs to.
const char kOwnerKey = 0;

// ctx:saga(): weft.saga.new(ctx), from the run's own copy of weft.saga.
int ctx_saga(lua_State* L) {
  RunContext* rc = nullptr;
  guarded(L, [&rc](lua_State* L) {
    rc = &durable_caller(L, "saga");
    return 0;
  });
  lua_settop(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, rc->env_ref);
  require_in(L, 2, "weft.saga");
  lua_getfield(L, -1, "new");
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

// ctx.attempt and ctx.step_key: the step running on the calling coroutine
// (each branch of a ctx:all has its own), nil outside a step; any other key
// is a method (upvalue 1).
int ctx_index(lua_State* L) {
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  const char* key = lua_tostring(L, 2);
  RunLink* link = governing_link(L);
  if (key == nullptr || link == nullptr || link->run == nullptr || !link->in_step) return 1;
  if (std::string_view(key) == "attempt")
    lua_pushinteger(L, link->step.attempt);
  else if (std::string_view(key) == "step_key") {  // stable across retries and crashes
    link->step.step_key_read = true;
    lua_pushfstring(L, "%s:%s", link->run->run.id.c_str(), link->step.path.c_str());
  }
  return 1;
}

void push_ctx_metatable(lua_State* L) {
  if (!luaL_newmetatable(L, kCtxMeta)) return;
  const luaL_Reg methods[] = {{"step", ctx_step},
                              {"_compensate", ctx_compensate},
                              {"_step_done", ctx_step_done},
                              {"sleep", ctx_sleep},
                              {"wait_event", ctx_wait_event},
                              {"child", ctx_child},
                              {"start", ctx_start},
                              {"now", ctx_now},
                              {"uuid", ctx_uuid},
                              {"random", ctx_random},
                              {"acquire", ctx_acquire},
                              {"saga", ctx_saga},
                              {"all", ctx_all},
                              {"all_settled", ctx_all_settled},
                              {"map", ctx_map},
                              {nullptr, nullptr}};
  luaL_newlib(L, methods);
  lua_pushcclosure(L, ctx_index, 1);
  lua_setfield(L, -2, "__index");
}

}  // namespace

void push_ctx(lua_State* L, RunContext& rc) {
  lua_createtable(L, 0, 6);
  lua_pushstring(L, rc.run.id.c_str());
  lua_setfield(L, -2, "run_id");
  lua_pushstring(L, rc.run.workflow.c_str());
  lua_setfield(L, -2, "workflow");
  lua_pushlightuserdata(L, const_cast<char*>(&kOwnerKey));
  lua_pushlightuserdata(L, &rc);
  lua_rawset(L, -3);
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
  // Compared, never dereferenced: a ctx kept after its run ended (or taken
  // from another run) must not act on the run now calling it.
  lua_pushlightuserdata(L, const_cast<char*>(&kOwnerKey));
  lua_rawget(L, 1);
  bool own = lua_touserdata(L, -1) == link->run;
  lua_pop(L, 1);
  if (!own)
    throw std::runtime_error(std::string("ctx:") + fn +
                             ": this ctx belongs to another run, or to a run that has ended");
  if (link->in_step)
    throw std::runtime_error(std::string("ctx:") + fn + " is not allowed inside step '" +
                             link->step_name + "' (durable calls belong to the workflow body)");
  return *link->run;
}

std::string call_location(lua_State* L, int* level_found) {
  constexpr int kMaxFrames = 32;
  lua_Debug ar;
  for (int level = 1; level <= kMaxFrames && lua_getstack(L, level, &ar); ++level) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.source == nullptr || ar.currentline <= 0) continue;
    std::string_view source(ar.source);
    if (source.size() < 2 || source.front() != '@' || source.substr(1, 5) == "weft/") continue;
    if (level_found) *level_found = level;
    return std::string(source.substr(1)) + ":" + std::to_string(ar.currentline);
  }
  return "";
}

engine::Decision next_call(lua_State* L, RunContext& rc, engine::EventKind kind,
                           std::string_view name, std::string_view options) {
  if (rc.replay && rc.replay->evaluating)
    throw std::runtime_error("a debugger expression cannot make durable calls");
  RunLink& link = *run_link(L);
  engine::Decision d =
      rc.journal.next(link.path_prefix + std::to_string(++link.calls), kind, name, rc.now());
  using Action = engine::Decision::Action;
  // Only a call that writes history or is reported needs them: replayed
  // calls (most calls of a resumed run) skip the stack walk and the hash.
  if (d.action != Action::Replay) {
    d.location = call_location(L);
    if (d.location.empty()) d.location = rc.spec.pipeline_location;
    if (!options.empty()) d.fingerprint = engine::sha256_hex(options).substr(0, 12);
  }
  auto divergence = [&] {
    return engine::Divergence{d.seq, d.path,
                              d.recorded ? std::optional(engine::summarize(*d.recorded)) : std::nullopt,
                              engine::CallSummary{std::string(engine::to_string(kind)),
                                                  std::string(name), d.location, d.fingerprint}};
  };
  if (d.action == Action::Mismatch) {
    rc.mismatch = divergence();
    d.message = engine::describe(*rc.mismatch);
    if (rc.replay) {
      rc.replay->stop = rc.mismatch;
      rc.replay->stopped = ReplayTrace::Stop::Diverged;
    }
  } else if (rc.replay) {
    if (d.recorded) {  // matched: final, or pending / retried where the run stopped
      ++rc.replay->replayed;
      rc.replay->visited.insert(d.path);
    }
    if (d.recorded && d.seq == rc.replay->pause_seq && rc.replay->at_pause) {
      d.location = call_location(L);
      if (d.location.empty()) d.location = rc.spec.pipeline_location;
      rc.replay->at_pause(L, rc, d);
      rc.replay->stopped = ReplayTrace::Stop::Paused;
      rc.replay->stop = divergence();
      d.action = Action::Mismatch;
      d.message = "paused by the debugger";
      return d;
    }
    if (d.action != Action::Replay) {  // nothing recorded to answer with: replay ends here
      rc.replay->stopped = ReplayTrace::Stop::EndOfHistory;
      rc.replay->stop = divergence();
      d.action = Action::Mismatch;
      d.message = "replay reached the end of the recorded history";
    }
  }
  return d;
}

bool must_stop(lua_State* L, RunContext& rc) {
  if (rc.cancel_requested) rc.doom("cancelled", "run cancelled");
  if (rc.run.deadline && rc.now() >= rc.run.deadline)
    rc.doom("timeout", "workflow '" + rc.run.workflow + "' exceeded its timeout");
  if (rc.journal.last_seq() >= rc.spec.history_limit)
    rc.doom("limit_exceeded", "history limit exceeded (" + std::to_string(rc.spec.history_limit) +
                                  " events; raise budget.history if the run needs more)");
  if (!rc.doomed()) return false;
  raise_doom(L, rc);
  return true;
}

int raise_doom(lua_State* L, RunContext& rc) {
  push_error_json(L, *rc.doom_error);
  return kRaise;
}

int raise_mismatch(lua_State* L, RunContext& rc, const engine::Decision& decision) {
  bool first = !rc.doomed();
  rc.doom("non_determinism", "workflow '" + rc.run.workflow + "', run " + rc.run.id +
                                 ": non-determinism " + decision.message);
  if (first && rc.mismatch) (*rc.doom_error)["divergence"] = engine::to_json(*rc.mismatch);
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
