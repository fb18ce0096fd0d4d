#include "engine/blob_store.hpp"

namespace weft::engine {

bool valid_blob_path(std::string_view path, bool allow_empty) {
  if (path.empty()) return allow_empty;
  if (path.size() > 1024 || path.front() == '/' || path.find("..") != std::string_view::npos ||
      path.find("//") != std::string_view::npos)
    return false;
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  return true;
}

}  // namespace weft::engine
