// The budget of the Lua code running on this thread: instructions (counted
// by a hook, and charged by C functions for work their input makes them
// do), memory (the state's allocator, see lua_state.hpp) and wall time.
// One budget is active per thread at a time: a run's resume on a worker,
// a webhook `event` call on an HTTP thread.
//
// Design: once a budget is exceeded the hook fires at every instruction of
// every coroutine it reaches, so a pcall that catches the error cannot run
// on — the instruction after it raises again.
#pragma once
#include <lua.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace weft::dsl {

struct Budget {
  int64_t instruction_limit = 0;  // 0 = none
  std::chrono::milliseconds wall_limit{0};  // 0 = none
  // Filled while the budget is active:
  int64_t used = 0;
  std::chrono::steady_clock::time_point deadline{};
  bool exceeded = false;
  std::string reason;  // "instruction limit exceeded (...)" or "wall-clock limit ..."
  // Called once, at the moment the budget is exceeded (before any Lua code
  // can catch the error): the executor dooms the run here.
  std::function<void(const std::string& reason)> on_exceeded;
};

// Makes `budget` the active one of this thread while it lives, with its
// count hook installed on `L` (the thread being resumed or called).
class ActiveBudget {
 public:
  ActiveBudget(lua_State* L, Budget& budget);
  ~ActiveBudget();
  ActiveBudget(const ActiveBudget&) = delete;
  ActiveBudget& operator=(const ActiveBudget&) = delete;

 private:
  lua_State* L_;
  Budget* previous_;
};

// Installs the budget's count hook on a coroutine created while a budget is
// active (Lua copies the hook of the creating thread into new threads, so
// this is only needed for threads made elsewhere).
void hook_thread(lua_State* L);

// Charges `units` of work (about one per VM instruction's worth) done by a
// C function to the active budget. Raises "instruction limit exceeded" (a
// Lua error: call it with no C++ object alive in the frame) when spent; a
// no-op when no budget is active.
void charge(lua_State* L, int64_t units);

// The same without raising: false when the budget is spent (the caller
// stops its work and raises once its C++ objects are gone).
bool try_charge(int64_t units);

}  // namespace weft::dsl
