// Hex digits: the one implementation behind percent-decoding, uuids,
// content hashes and weft.crypto's hex codec.
#pragma once
#include <string>
#include <string_view>

namespace weft::engine {

// 0-15 for a hex digit of either case, -1 otherwise.
int hex_digit_value(char c);

// Two lowercase hex digits per byte.
std::string hex_encode(std::string_view bytes);

}  // namespace weft::engine
