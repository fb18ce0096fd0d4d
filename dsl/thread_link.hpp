// Which run a Lua thread belongs to. A run's coroutine keeps a pointer to
// its RunLink in the thread's LUA_EXTRASPACE; plain states (tests, tools)
// and coroutines a workflow creates itself have none.
#pragma once
#include <lua.hpp>

#include <string>

namespace weft::dsl {

class RunContext;

struct RunLink {
  RunContext* run = nullptr;
  bool in_step = false;    // true while a ctx:step function runs
  std::string step_name;   // the step running, for error messages
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
