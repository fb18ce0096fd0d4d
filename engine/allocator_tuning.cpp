// Process-wide malloc settings (see allocator_tuning.hpp).
#include "engine/allocator_tuning.hpp"

#include <malloc.h>

namespace weft::engine {

void tune_allocator() {
  // Trim an arena only when 256 MiB at its top are free; serve blocks up to
  // 32 MiB from the arenas instead of fresh mappings.
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

}  // namespace weft::engine
