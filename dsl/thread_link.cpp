// require_step: the check every non-deterministic primitive makes first.
#include "dsl/thread_link.hpp"

#include <stdexcept>

namespace weft::dsl {

RunLink*& active_run_link() {
  thread_local RunLink* link = nullptr;
  return link;
}

void require_step(lua_State* L, const char* function_name) {
  RunLink* link = governing_link(L);
  if (link == nullptr || link->in_step) return;
  throw std::runtime_error(std::string(function_name) +
                           " may only be called inside ctx:step, so that replay does not repeat it");
}

}  // namespace weft::dsl
