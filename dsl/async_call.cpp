// Asynchronous primitives' yield and resume (see async_call.hpp).
#include "dsl/async_call.hpp"

#include "dsl/ctx.hpp"
#include "dsl/lua_guard.hpp"

namespace weft::dsl {

int start_async(lua_State* L, RunContext& rc, const std::function<void(AsyncComplete)>& start) {
  if (!rc.resume_async) throw std::runtime_error("this run cannot wait for asynchronous work");
  rc.op = PendingOp{};
  rc.op.kind = PendingOp::Kind::Async;
  // The coroutine that yields here (the body, or a branch of ctx:all) is
  // the one the result goes back to.
  start([resume = rc.resume_async, target = run_link(L)](AsyncPusher push) {
    resume(target, std::move(push));
  });
  return kYield;
}

int async_continuation(lua_State* L, int, lua_KContext) {
  int code = guarded(L, [](lua_State* L) {
    RunLink* link = run_link(L);
    AsyncPusher push = std::move(link->run->async_result);
    link->run->async_result = nullptr;
    return push(L);
  });
  return finish_call(L, code, nullptr);
}

}  // namespace weft::dsl
