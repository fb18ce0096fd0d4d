// Checks on a request body before it is parsed as JSON: valid UTF-8, and
// arrays/objects nested at most kMaxJsonDepth deep (a deeper document is
// refused before the parser builds any of it).
#pragma once
#include <string_view>

namespace weft::api {

constexpr int kMaxJsonDepth = 64;

bool valid_utf8(std::string_view text);
// The deepest nesting of [ and { outside strings (not a validation: the
// parser rejects what is malformed).
int json_depth(std::string_view text);

}  // namespace weft::api
