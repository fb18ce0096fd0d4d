// Process-wide malloc settings for a server that allocates and frees a
// great deal across threads (requests, JSON, Lua states, SQLite pages).
//
// Why: by default glibc gives freed memory at the top of each thread's
// arena back to the kernel (madvise), and serves large blocks with
// mmap/munmap. Each of those flushes the TLB on every core, and the pages
// fault back in on the next request; under load on a 2-core VM that was
// over half of weft serve's CPU time (measured with perf, see
// docs/performance.md). Keeping freed memory in the process removes both.
#pragma once

namespace weft::engine {

// Call once, first thing in main().
void tune_allocator();

}  // namespace weft::engine
