// The engine trace (see trace.hpp).
#include "engine/trace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace weft::engine {
namespace {

int trace_fd() {
  static const int fd = [] {
    const char* path = std::getenv("WEFT_TRACE_FILE");
    if (path == nullptr || *path == '\0') return -1;
    return ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }();
  return fd;
}

}  // namespace

bool trace_enabled() { return trace_fd() >= 0; }

void trace(const std::string& line) {
  int fd = trace_fd();
  if (fd < 0) return;
  std::string text = line + "\n";
  ssize_t written = ::write(fd, text.data(), text.size());
  (void)written;  // tracing never fails a run
}

}  // namespace weft::engine
