// JSON text with limits and UTF-8 repair (engine/json_limits, engine/utf8):
// deep documents refused before parsing, dumps that never throw (issue 10).
#include <catch2/catch.hpp>

#include "engine/json_limits.hpp"
#include "engine/utf8.hpp"

using nlohmann::json;
using weft::engine::JsonTextError;

TEST_CASE("issue 10: parse_json refuses nesting past the limit with a clear error", "[json][limits][issue10]") {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    weft::engine::parse_json(deep);
    FAIL("a 100,000-deep document was parsed");
  } catch (const JsonTextError& e) {
    CHECK(e.code == JsonTextError::Code::TooDeep);
    CHECK_THAT(e.what(), Catch::Contains("nested deeper than 512 levels"));
  }
  CHECK(weft::engine::parse_json(std::string(512, '[') + std::string(512, ']')).is_array());
  CHECK_THROWS_AS(weft::engine::parse_json("{\"a\": [1, 2}"), JsonTextError);
  CHECK(weft::engine::parse_json(R"({"s": "[[[[", "n": [1]})", 2) == json{{"s", "[[[["}, {"n", {1}}});
  CHECK_THROWS_AS(weft::engine::parse_json("[[1]]", 1), JsonTextError);
}

TEST_CASE("issue 10: dump_json never throws on invalid UTF-8", "[json][limits][issue10]") {
  json value = {{"name", "bad\xff" "byte"}};
  CHECK_THROWS(value.dump());
  CHECK(weft::engine::dump_json(value) == "{\"name\":\"bad\xEF\xBF\xBD" "byte\"}");
}

TEST_CASE("issue 10: UTF-8 validation and repair", "[utf8][issue10]") {
  using weft::engine::invalid_utf8_at;
  using weft::engine::sanitize_utf8;
  CHECK(weft::engine::valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  CHECK(invalid_utf8_at("caf\xC3") == 3);               // truncated
  CHECK(invalid_utf8_at("\xC0\xAF") == 0);              // overlong '/'
  CHECK(invalid_utf8_at("a\xED\xA0\x80") == 1);         // a UTF-16 surrogate
  CHECK(invalid_utf8_at("\xF4\x90\x80\x80") == 0);      // above U+10FFFF
  CHECK(sanitize_utf8("bad\xff" "byte") == "bad\xEF\xBF\xBD" "byte");
  CHECK(sanitize_utf8("caf\xC3") == "caf\xEF\xBF\xBD");
  CHECK(sanitize_utf8("fine") == "fine");
  CHECK(weft::engine::describe_invalid_utf8("ab\xff", 2) == "invalid UTF-8 (byte 0xFF at offset 2)");
}
