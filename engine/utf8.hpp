// UTF-8 checks and repair for strings that leave the process's trusted
// side: request bodies, values leaving Lua, names in logs and metric
// labels. Valid means RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace weft::engine {

// The offset of the first byte that does not start a valid sequence, or
// std::string_view::npos when `text` is valid UTF-8.
size_t invalid_utf8_at(std::string_view text);

inline bool valid_utf8(std::string_view text) { return invalid_utf8_at(text) == std::string_view::npos; }

// `text` with each invalid byte replaced by U+FFFD (a copy; cheap when
// the text is already valid).
std::string sanitize_utf8(std::string_view text);

// "invalid UTF-8 (byte 0xFF at offset 4)": what error messages say of a
// string where invalid_utf8_at(text) == at.
std::string describe_invalid_utf8(std::string_view text, size_t at);

}  // namespace weft::engine
