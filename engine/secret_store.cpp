// What every SecretStore shares: the rule for secret names.
#include "engine/secret_store.hpp"

namespace weft::engine {

bool valid_secret_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace weft::engine
