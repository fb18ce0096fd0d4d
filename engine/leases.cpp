// Lease owner ids (see leases.hpp).
#include "engine/leases.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "engine/ids.hpp"

namespace weft::engine {
namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

std::string make_owner_id() {
  return host_name() + ":" + std::to_string(getpid()) + ":" + new_uuid().substr(0, 8);
}

bool owner_is_dead(const std::string& owner) {
  auto first = owner.find(':');
  auto second = owner.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return false;
  if (owner.substr(0, first) != host_name()) return false;
  long pid = std::strtol(owner.c_str() + first + 1, nullptr, 10);
  if (pid <= 0) return false;
  if (pid == getpid()) return false;  // ours
  return kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

}  // namespace weft::engine
