// Which run a Lua thread belongs to. A run's coroutine keeps a pointer to
// its RunLink in the thread's LUA_EXTRASPACE; plain states (tests, tools)
// and coroutines a workflow creates itself have none.
#pragma once
#include <lua.hpp>

#include <cstdint>
#include <string>

#include "engine/history_event.hpp"
#include "engine/retry_policy.hpp"

namespace weft::dsl {

class RunContext;

// The step attempt in progress on a coroutine (between ctx:step and its commit).
struct StepInProgress {
  int64_t seq = 0;
  std::string path;
  int attempt = 1;
  int attempt_base = 0;  // the retry policy counts attempts after this one
  engine::EventKind kind = engine::EventKind::Step;
  std::string name;
  engine::RetryPolicy policy;
  int64_t started_at = 0;
  std::string location;     // of the ctx:step call (engine::HistoryEvent)
  std::string fingerprint;
  bool step_key_read = false;  // the step read ctx.step_key
};

// One per coroutine that makes durable calls: the run's body, and each
// branch of a ctx:all (ctx_branches.cpp).
struct RunLink {
  RunContext* run = nullptr;
  bool in_step = false;    // true while a ctx:step function runs
  std::string step_name;   // the step running, for error messages
  // Where this coroutine's durable calls are (engine/history_event.hpp):
  // the body's are "1", "2", ...; a branch's "<call>/<branch>/1", ...
  std::string path_prefix;
  int64_t calls = 0;  // durable calls made on this coroutine so far
  StepInProgress step;
  // The last step that ended on this coroutine, as history has it: sagas
  // order their undos by it (weft.saga), the same live and on replay.
  int64_t last_step_ended_at = 0;
  int64_t last_step_seq = 0;
  RunLink* parent = nullptr;  // a branch's: the coroutine that started its ctx:all
};

inline RunLink* run_link(lua_State* L) { return *static_cast<RunLink**>(lua_getextraspace(L)); }
inline void set_run_link(lua_State* L, RunLink* link) {
  *static_cast<RunLink**>(lua_getextraspace(L)) = link;
}

// The run being resumed on this thread (set by the executor around each
// resume), so that coroutines a workflow creates itself are held to the
// same rules as its body.
RunLink*& active_run_link();

// The link that governs code running on L: its own, or the active run's.
inline RunLink* governing_link(lua_State* L) {
  RunLink* link = run_link(L);
  return link ? link : active_run_link();
}

// For I/O and other non-deterministic primitives: inside a run they may only
// be called inside ctx:step, so replay never repeats them. Throws
// std::runtime_error naming `function_name` otherwise (use inside `guarded`).
void require_step(lua_State* L, const char* function_name);

}  // namespace weft::dsl
