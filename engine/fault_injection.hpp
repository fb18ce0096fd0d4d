// Named fault-injection points for crash tests. WEFT_FAULT="name:k" makes
// the k-th pass through point `name` kill the process (SIGKILL, as a crash
// would). Compiled out of Release builds.
//
// Points: before-commit, after-commit (group_commit.cpp),
//         after-step-before-commit (run_executor.cpp).
//
// Failing points do not kill: from the k-th pass on, fault_fails(name) is
// true and the caller fails as the real fault would.
// Failing points: storage-full (sqlite_db.cpp: every write transaction
//         fails to commit as SQLITE_FULL, "database or disk is full").
#pragma once

namespace weft::engine {

#ifdef WEFT_FAULT_INJECTION
void fault_point(const char* name);
bool fault_fails(const char* name);
#else
inline void fault_point(const char*) {}
inline bool fault_fails(const char*) { return false; }
#endif

}  // namespace weft::engine
