// LuaState: allocation accounting and construction of the sandbox.
#include "dsl/lua_state.hpp"

#include <cstdlib>
#include <stdexcept>

#include "dsl/sandbox.hpp"
#include "dsl/thread_link.hpp"

namespace weft::dsl {
namespace {

void* account_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* account = static_cast<MemoryAccount*>(ud);
  size_t old_size = ptr ? osize : 0;
  if (nsize == 0) {
    account->used -= old_size;
    std::free(ptr);
    return nullptr;
  }
  if (nsize > old_size) {
    size_t next = account->used + (nsize - old_size);
    if ((account->hard_limit && next > account->hard_limit) ||
        (account->resume_limit && next > account->resume_limit)) {
      account->exceeded = true;
      return nullptr;
    }
  }
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) return nullptr;
  account->used = account->used - old_size + nsize;
  return block;
}

}  // namespace

LuaState::LuaState(const StateOptions& options) {
  memory_.hard_limit = options.hard_memory_limit;
  L_ = lua_newstate(account_alloc, &memory_);
  if (L_ == nullptr) throw std::runtime_error("cannot create a Lua state");
  // Lua leaves the main thread's extra space uninitialized and copies it into
  // every new thread: start with no run link rather than garbage.
  set_run_link(L_, nullptr);
  // Per-run environments make mostly young garbage: the generational
  // collector frees it for less CPU than the incremental one (docs/performance.md).
  lua_gc(L_, LUA_GCGEN, 0, 0);
  build_sandbox(L_, options.workflows_dir);
}

LuaState::~LuaState() { lua_close(L_); }

}  // namespace weft::dsl
