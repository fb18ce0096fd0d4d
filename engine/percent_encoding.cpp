#include "engine/percent_encoding.hpp"

#include "engine/hex.hpp"

namespace weft::engine {

std::optional<std::string> percent_decode(std::string_view text, PercentDecoding how) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && how.plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      int high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : -1;
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
      } else if (how.keep_bad_escapes) {
        out += c;
      } else {
        return std::nullopt;
      }
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace weft::engine
