// Durations as workflows write them: a number of seconds, or a string like
// "250ms", "10s", "10m", "6h", "1d", "1h30m". Sizes: "64MB", "512KB".
#pragma once
#include <cstdint>
#include <string_view>

namespace weft::engine {

// Milliseconds; throws std::invalid_argument with the offending text.
int64_t parse_duration_ms(std::string_view text);
int64_t seconds_to_ms(double seconds);

// Bytes; accepts B, KB, MB, GB (powers of 1024) and plain numbers.
int64_t parse_size_bytes(std::string_view text);

}  // namespace weft::engine
