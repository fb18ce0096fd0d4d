// Asynchronous primitives' yield and resume (see async_call.hpp).
#include "dsl/async_call.hpp"

#include "dsl/ctx.hpp"
#include "dsl/lua_guard.hpp"

namespace weft::dsl {

int start_async(RunContext& rc, const std::function<void(AsyncComplete)>& start) {
  if (!rc.resume_async) throw std::runtime_error("this run cannot wait for asynchronous work");
  rc.op = PendingOp{};
  rc.op.kind = PendingOp::Kind::Async;
  start(rc.resume_async);
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
