#include "engine/store.hpp"

#include <stdexcept>

namespace weft::engine {

Store::Store(StoreParts parts) : parts_(std::move(parts)) {
  if (!parts_.runs || !parts_.scripts || !parts_.documents || !parts_.blobs || !parts_.secrets ||
      !parts_.deliveries || !parts_.limits)
    throw std::invalid_argument("a store needs every storage concern");
}

}  // namespace weft::engine
