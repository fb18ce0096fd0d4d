// The active budget of this thread and its count hook (see budget.hpp).
#include "dsl/budget.hpp"

namespace weft::dsl {
namespace {

constexpr int kHookEvery = 1000;  // instructions between budget checks

thread_local Budget* active = nullptr;

void exceed(Budget& budget, std::string reason) {
  if (budget.exceeded) return;
  budget.exceeded = true;
  budget.reason = std::move(reason);
  if (budget.on_exceeded) budget.on_exceeded(budget.reason);
}

// True when the active budget is spent (marking it so).
bool spent(Budget& budget) {
  if (budget.exceeded) return true;
  if (budget.instruction_limit && budget.used > budget.instruction_limit)
    exceed(budget, "instruction limit exceeded (" + std::to_string(budget.instruction_limit) +
                       " instructions in one resume)");
  else if (budget.wall_limit.count() && std::chrono::steady_clock::now() > budget.deadline)
    exceed(budget, "wall-clock limit exceeded (" + std::to_string(budget.wall_limit.count()) +
                       " ms in one resume)");
  return budget.exceeded;
}

void count_hook(lua_State* L, lua_Debug*) {
  Budget* budget = active;
  if (budget == nullptr) return;
  budget->used += kHookEvery;
  if (!spent(*budget)) return;
  // From now on raise at every instruction of this thread.
  lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", budget->reason.c_str());
}

}  // namespace

ActiveBudget::ActiveBudget(lua_State* L, Budget& budget) : L_(L), previous_(active) {
  budget.used = 0;
  budget.exceeded = false;
  budget.reason.clear();
  budget.deadline = std::chrono::steady_clock::now() + budget.wall_limit;
  active = &budget;
  lua_sethook(L, count_hook, LUA_MASKCOUNT, kHookEvery);
}

ActiveBudget::~ActiveBudget() {
  lua_sethook(L_, nullptr, 0, 0);
  active = previous_;
}

void hook_thread(lua_State* L) {
  if (active) lua_sethook(L, count_hook, LUA_MASKCOUNT, active->exceeded ? 1 : kHookEvery);
}

bool try_charge(int64_t units) {
  Budget* budget = active;
  if (budget == nullptr) return true;
  budget->used += units;
  return !spent(*budget);
}

void charge(lua_State* L, int64_t units) {
  if (try_charge(units)) return;
  lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", active->reason.c_str());
}

}  // namespace weft::dsl
