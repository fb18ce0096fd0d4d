// The content address of stored sources: a script version is the SHA-256
// of its text, in lowercase hex.
#pragma once
#include <string>
#include <string_view>

namespace weft::engine {

std::string sha256_hex(std::string_view data);

}  // namespace weft::engine
