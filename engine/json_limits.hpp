// JSON text in and out of the process, with limits. Every place that
// parses JSON text (API bodies, CLI input, weft.json, HTTP responses,
// stored values) calls parse_json; every place that writes JSON text that
// may hold strings from Lua or storage calls dump_json.
//
// Design: nlohmann's values are recursive (dumping, copying, comparing or
// converting a 100,000-deep array overflows the C stack), so a document
// nested deeper than the limit is refused by a linear scan BEFORE the
// parser builds any of it. Writing replaces bytes that are not UTF-8 with
// U+FFFD instead of throwing (type_error.316), so no stored or logged
// string can abort a commit, a response or the process.
#pragma once
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace weft::engine {

// The deepest nesting of arrays and objects a value may have when it
// enters the process (parsed text, Lua values converted to JSON).
constexpr int kMaxJsonDepth = 512;
// Reading back what the process stored allows a few more levels (an error
// wrapping another one) so that nothing it wrote becomes unreadable.
constexpr int kMaxStoredJsonDepth = 2 * kMaxJsonDepth;

struct JsonTextError : std::runtime_error {
  enum class Code { Invalid, TooDeep };
  JsonTextError(Code code, const std::string& message) : std::runtime_error(message), code(code) {}
  Code code;
};

// Parses `text`; throws JsonTextError: TooDeep ("JSON nested deeper than
// 512 levels") before parsing anything, or Invalid (nlohmann's message,
// which names the position).
nlohmann::json parse_json(std::string_view text, int max_depth = kMaxJsonDepth);

// The deepest nesting of [ and { outside strings. Not a validation: the
// parser rejects what is malformed, and never goes deeper on a prefix it
// accepted than this scan counts.
int json_depth(std::string_view text);

// value.dump(indent) that never throws on invalid UTF-8 (replaced by U+FFFD).
std::string dump_json(const nlohmann::json& value, int indent = -1);

}  // namespace weft::engine
