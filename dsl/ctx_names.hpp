// The names a workflow gives its durable calls (step, event and child
// workflow names) are written to history, logs, API answers and metric
// labels: each must be a string of valid UTF-8 without NUL bytes, and a
// bad one is refused at the call ("bad argument #2 to 'step' (...)").
#pragma once
#include <lua.hpp>

#include <string>

namespace weft::dsl {

// The name at `arg`; throws ArgError (call it inside `guarded`). `what`:
// "step name", "event name", "workflow name".
std::string name_arg(lua_State* L, int arg, const char* what);

}  // namespace weft::dsl
