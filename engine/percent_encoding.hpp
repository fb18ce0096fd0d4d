// Percent-decoding (RFC 3986 §2.1, plus the form encoding's
// '+' for a space): the one implementation behind request targets, form
// bodies and the form-signing webhook presets.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace weft::engine {

struct PercentDecoding {
  bool plus_is_space = false;  // application/x-www-form-urlencoded
  // false: a '%' not followed by two hex digits makes the text invalid;
  // true: it is kept as it is (how Twilio's validators read forms).
  bool keep_bad_escapes = false;
};

// The decoded bytes; nullopt for a bad escape unless keep_bad_escapes.
std::optional<std::string> percent_decode(std::string_view text, PercentDecoding how = {});

}  // namespace weft::engine
