// step_run (see step_services.hpp).
#include "stdlib/step_services.hpp"

#include <stdexcept>
#include <string>

namespace weft::stdlib {

dsl::RunContext& step_run(lua_State* L, const char* function_name) {
  dsl::require_step(L, function_name);
  dsl::RunLink* link = dsl::governing_link(L);
  if (link == nullptr || link->run == nullptr || link->run->documents == nullptr ||
      link->run->blobs == nullptr || link->run->secrets == nullptr)
    throw std::runtime_error(std::string(function_name) + " can only run inside a workflow step");
  return *link->run;
}

}  // namespace weft::stdlib
