// Named fault-injection points for crash tests. WEFT_FAULT="name:k" makes
// the k-th pass through point `name` kill the process (SIGKILL, as a crash
// would). Compiled out of Release builds.
//
// Points: before-commit, after-commit (group_commit.cpp),
//         after-step-before-commit (run_executor.cpp).
#pragma once

namespace weft::engine {

#ifdef WEFT_FAULT_INJECTION
void fault_point(const char* name);
#else
inline void fault_point(const char*) {}
#endif

}  // namespace weft::engine
