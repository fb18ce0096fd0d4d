// A sandboxed Lua state with an accounting allocator. Each worker owns one;
// runs are coroutines inside it. The allocator enforces a hard cap for the
// whole state and, while a run is being resumed, that run's own budget of
// growth; a refused allocation raises Lua's memory error, which the engine
// reports as "memory limit exceeded".
#pragma once
#include <lua.hpp>

#include <cstddef>
#include <string>

namespace weft::dsl {

struct MemoryAccount {
  size_t used = 0;
  size_t hard_limit = 0;     // whole state; 0 = none
  size_t resume_limit = 0;   // absolute ceiling while a run is resumed; 0 = none
  bool exceeded = false;     // set when an allocation was refused
};

struct StateOptions {
  std::string workflows_dir;          // where require looks besides Weft's modules
  size_t hard_memory_limit = 1u << 30;
};

class LuaState {
 public:
  explicit LuaState(const StateOptions& options);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const { return L_; }
  MemoryAccount& memory() { return memory_; }

 private:
  MemoryAccount memory_;
  lua_State* L_ = nullptr;
};

}  // namespace weft::dsl
