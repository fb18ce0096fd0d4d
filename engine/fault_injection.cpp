// Fault injection (see fault_injection.hpp).
#include "engine/fault_injection.hpp"

#ifdef WEFT_FAULT_INJECTION
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace weft::engine {
namespace {

struct Armed {
  std::string name;
  long countdown = 0;
};

const Armed& armed() {
  static const Armed value = [] {
    Armed a;
    const char* spec = std::getenv("WEFT_FAULT");
    if (spec == nullptr) return a;
    std::string text(spec);
    auto colon = text.rfind(':');
    a.name = text.substr(0, colon);
    a.countdown = colon == std::string::npos ? 1 : std::atol(text.c_str() + colon + 1);
    return a;
  }();
  return value;
}

std::atomic<long> passes{0};

}  // namespace

void fault_point(const char* name) {
  const Armed& a = armed();
  if (a.name.empty() || a.name != name) return;
  if (++passes == a.countdown) kill(getpid(), SIGKILL);
}

bool fault_fails(const char* name) {
  const Armed& a = armed();
  if (a.name.empty() || a.name != name) return false;
  return ++passes >= a.countdown;
}

}  // namespace weft::engine
#endif
