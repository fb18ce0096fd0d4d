// Parsing of durations and sizes (see duration.hpp).
#include "engine/duration.hpp"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace weft::engine {
namespace {

struct Unit {
  std::string_view name;
  double factor;
};

[[noreturn]] void fail(std::string_view what, std::string_view text) {
  throw std::invalid_argument("invalid " + std::string(what) + " '" + std::string(text) + "'");
}

// Parses "<number><unit>" repeated (e.g. "1h30m") with the given units.
double parse_with_units(std::string_view text, std::initializer_list<Unit> units,
                        std::string_view what) {
  if (text.empty()) fail(what, text);
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) fail(what, text);
    double number = std::stod(std::string(text.substr(start, i - start)));
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit(text.substr(unit_start, i - unit_start));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Unit* found = nullptr;
    for (const auto& u : units)
      if (u.name == unit) found = &u;
    if (found == nullptr) fail(what, text);
    total += number * found->factor;
  }
  return total;
}

}  // namespace

int64_t parse_duration_ms(std::string_view text) {
  double ms = parse_with_units(text,
                               {{"ms", 1},
                                {"s", 1000},
                                {"m", 60'000},
                                {"h", 3'600'000},
                                {"d", 86'400'000},
                                {"w", 604'800'000}},
                               "duration");
  return static_cast<int64_t>(std::llround(ms));
}

int64_t seconds_to_ms(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) throw std::invalid_argument("invalid duration");
  return static_cast<int64_t>(std::llround(seconds * 1000.0));
}

int64_t parse_size_bytes(std::string_view text) {
  double bytes = parse_with_units(
      text, {{"", 1}, {"b", 1}, {"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}}, "size");
  return static_cast<int64_t>(bytes);
}

}  // namespace weft::engine
