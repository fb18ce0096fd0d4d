// The one percent-decoder: strict for request targets and form bodies,
// lenient (bad escapes kept) for the form-signing webhook presets.
#include <catch2/catch.hpp>

#include "engine/hex.hpp"
#include "engine/percent_encoding.hpp"

using weft::engine::hex_digit_value;
using weft::engine::percent_decode;

TEST_CASE("hex digits of either case have their value and nothing else does", "[percent]") {
  CHECK(hex_digit_value('0') == 0);
  CHECK(hex_digit_value('9') == 9);
  CHECK(hex_digit_value('a') == 10);
  CHECK(hex_digit_value('F') == 15);
  CHECK(hex_digit_value('g') == -1);
  CHECK(hex_digit_value('%') == -1);
}

TEST_CASE("percent escapes decode to bytes and '+' is a space only in forms", "[percent]") {
  CHECK(percent_decode("caf%C3%A9%2fx") == std::optional<std::string>("caf\xC3\xA9/x"));
  CHECK(percent_decode("a+b") == std::optional<std::string>("a+b"));
  CHECK(percent_decode("a+b", {.plus_is_space = true}) == std::optional<std::string>("a b"));
  CHECK(percent_decode("%00") == std::optional<std::string>(std::string(1, '\0')));
}

TEST_CASE("a bad escape is refused, or kept as written when asked", "[percent]") {
  for (const char* bad : {"%", "%4", "x%4", "%zz", "%4g", "100%"}) {
    INFO(bad);
    CHECK_FALSE(percent_decode(bad).has_value());
    CHECK(percent_decode(bad, {.keep_bad_escapes = true}) == std::optional<std::string>(bad));
  }
  CHECK(percent_decode("%%41", {.keep_bad_escapes = true}) == std::optional<std::string>("%A"));
}
