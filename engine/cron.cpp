// Cron expression parsing into per-field bit sets, and the next-fire search
// (see cron.hpp). Design: the search walks local wall-clock time field by
// field (month, day, hour, minute, second), skipping whole units that cannot
// match, then maps the local time found to an instant through the zone.
#include "engine/cron.hpp"

#include <array>
#include <bit>
#include <cctype>
#include <span>
#include <vector>

namespace weft::engine {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// Instants whose local date lies in years 1-9999 (with a day of margin).
constexpr int64_t kEarliestInstant = -62135596800 + kSecondsPerDay;
constexpr int64_t kLatestInstant = 253402300799 - kSecondsPerDay * 366 * CronExpr::kSearchYears;

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  const char* name;
  int min;
  int max;       // largest value accepted
  int star_max;  // last value covered by `*` and `a/n` (day-of-week: 6, as 7 is Sunday again)
  std::span<const std::string_view> names = {};  // names[i] stands for min + i
  bool allows_question = false;
};

constexpr FieldSpec kSecond{"second", 0, 59, 59};
constexpr FieldSpec kMinute{"minute", 0, 59, 59};
constexpr FieldSpec kHour{"hour", 0, 23, 23};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, 31, {}, true};
constexpr FieldSpec kMonth{"month", 1, 12, 12, kMonthNames};
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, 6, kWeekdayNames, true};

struct Macro {
  std::string_view name;
  std::string_view expansion;
};
constexpr std::array<Macro, 7> kMacros = {{{"@yearly", "0 0 1 1 *"},
                                           {"@annually", "0 0 1 1 *"},
                                           {"@monthly", "0 0 1 * *"},
                                           {"@weekly", "0 0 * * 0"},
                                           {"@daily", "0 0 * * *"},
                                           {"@midnight", "0 0 * * *"},
                                           {"@hourly", "0 * * * *"}}};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t end; (end = text.find(separator, start)) != std::string_view::npos; start = end + 1)
    parts.push_back(text.substr(start, end - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    const size_t start = pos;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos > start) words.push_back(text.substr(start, pos - start));
  }
  return words;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// First set bit at or above `from`.
std::optional<unsigned> next_set_bit(uint64_t mask, unsigned from) {
  if (from >= 64 || (mask >> from) == 0) return std::nullopt;
  return from + unsigned(std::countr_zero(mask >> from));
}

bool has_bit(uint64_t mask, unsigned bit) { return (mask >> bit) & 1; }

// A local wall-clock time that the search moves forward, always a valid date.
struct WallClock {
  int year;
  unsigned month, day, hour, minute, second;

  static WallClock from_seconds(int64_t local_seconds) {
    const int64_t day_number = day_of(local_seconds);
    const CivilDate date = civil_from_days(day_number);
    const auto in_day = unsigned(local_seconds - day_number * kSecondsPerDay);
    return {date.year, date.month, date.day, in_day / 3600, in_day / 60 % 60, in_day % 60};
  }
  int64_t to_seconds() const {
    return days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  }

  void start_month_at(unsigned new_month) {
    month = new_month;
    day = 1;
    start_hour_at(0);
  }
  void start_hour_at(unsigned new_hour) {
    hour = new_hour;
    start_minute_at(0);
  }
  void start_minute_at(unsigned new_minute) {
    minute = new_minute;
    second = 0;
  }
  void next_month() {
    if (month == 12) ++year;
    start_month_at(month % 12 + 1);
  }
  void next_day() {
    if (day == days_in_month(year, month)) return next_month();
    ++day;
    start_hour_at(0);
  }
  void next_hour() {
    if (hour == 23) return next_day();
    start_hour_at(hour + 1);
  }
  void next_minute() {
    if (minute == 59) return next_hour();
    start_minute_at(minute + 1);
  }
};

}  // namespace

// Parses one expression; every error names the expression and the field.
class CronParser {
 public:
  explicit CronParser(std::string_view text) : text_(text) {}

  CronExpr parse() {
    std::string_view fields_text = text_;
    const std::vector<std::string_view> words = split_whitespace(text_);
    if (words.size() == 1 && words[0].front() == '@') fields_text = expand_macro(words[0]);
    std::vector<std::string_view> fields = split_whitespace(fields_text);
    if (fields.size() != 5 && fields.size() != 6)
      fail("expected 5 or 6 fields, got " + std::to_string(fields.size()));
    if (fields.size() == 5) fields.insert(fields.begin(), "0");

    CronExpr expr;
    expr.text_ = std::string(text_);
    expr.seconds_ = parse_field(fields[0], kSecond);
    expr.minutes_ = parse_field(fields[1], kMinute);
    expr.hours_ = uint32_t(parse_field(fields[2], kHour));
    expr.days_ = uint32_t(parse_field(fields[3], kDayOfMonth));
    expr.months_ = uint16_t(parse_field(fields[4], kMonth));
    const uint64_t weekdays = parse_field(fields[5], kDayOfWeek);
    expr.weekdays_ = uint8_t((weekdays | weekdays >> 7) & 0x7f);  // 7 is Sunday
    expr.days_restricted_ = !is_star(fields[3]);
    expr.weekdays_restricted_ = !is_star(fields[5]);
    return expr;
  }

 private:
  static bool is_star(std::string_view field) { return field == "*" || field == "?"; }

  [[noreturn]] void fail(const std::string& problem) const {
    throw CronSyntaxError("cron " + quoted(text_) + ": " + problem);
  }
  [[noreturn]] void fail(const FieldSpec& spec, const std::string& problem) const {
    fail(std::string(spec.name) + ": " + problem);
  }

  std::string_view expand_macro(std::string_view word) const {
    const std::string name = lowercase(word);
    for (const Macro& macro : kMacros)
      if (macro.name == name) return macro.expansion;
    fail("unknown macro " + quoted(word));
  }

  uint64_t parse_field(std::string_view field, const FieldSpec& spec) const {
    if (field == "?") {
      if (!spec.allows_question) fail(spec, "'?' is allowed only in day-of-month and day-of-week");
      field = "*";
    }
    uint64_t bits = 0;
    for (std::string_view item : split(field, ',')) {
      if (item.empty()) fail(spec, "empty list item in " + quoted(field));
      bits |= parse_item(item, spec);
    }
    return bits;
  }

  // `*`, `a`, `a-b`, each optionally followed by `/step`.
  uint64_t parse_item(std::string_view item, const FieldSpec& spec) const {
    const size_t slash = item.find('/');
    const std::string_view range = item.substr(0, slash);
    const bool has_step = slash != std::string_view::npos;
    int low = spec.min, high = spec.star_max;
    if (range != "*") {
      const size_t dash = range.find('-');
      low = parse_value(range.substr(0, dash), item, spec);
      high = dash != std::string_view::npos ? parse_value(range.substr(dash + 1), item, spec)
             : has_step                     ? spec.star_max
                                            : low;
      if (low > high)
        fail(spec, "range " + std::to_string(low) + "-" + std::to_string(high) + " is reversed");
    }
    const int step = has_step ? parse_step(item.substr(slash + 1), item, spec) : 1;
    uint64_t bits = 0;
    for (int value = low; value <= high; value += step) bits |= uint64_t{1} << value;
    return bits;
  }

  int parse_step(std::string_view text, std::string_view item, const FieldSpec& spec) const {
    const int step = parse_number(text, item, spec);
    if (step < 1 || step > spec.max)
      fail(spec, "step " + std::to_string(step) + " out of range 1-" + std::to_string(spec.max));
    return step;
  }

  int parse_value(std::string_view token, std::string_view item, const FieldSpec& spec) const {
    if (!token.empty() && is_letter(token.front())) return parse_name(token, spec);
    const int value = parse_number(token, item, spec);
    if (value < spec.min || value > spec.max)
      fail(spec, "value " + std::to_string(value) + " out of range " + std::to_string(spec.min) + "-" +
                     std::to_string(spec.max));
    return value;
  }

  int parse_name(std::string_view token, const FieldSpec& spec) const {
    if (spec.names.empty()) fail(spec, "expected a number, got " + quoted(token));
    const std::string name = lowercase(token);
    for (size_t i = 0; i < spec.names.size(); ++i)
      if (spec.names[i] == name) return spec.min + int(i);
    fail(spec, "unknown name " + quoted(token));
  }

  int parse_number(std::string_view token, std::string_view item, const FieldSpec& spec) const {
    if (token.empty()) fail(spec, "missing number in " + quoted(item));
    size_t digits = 0;
    int value = 0;
    for (; digits < token.size() && is_digit(token[digits]); ++digits) {
      value = value * 10 + (token[digits] - '0');
      if (value > 9999) fail(spec, "number too large in " + quoted(item));
    }
    if (digits == 0) fail(spec, "expected a number, got " + quoted(token));
    if (digits < token.size()) fail(spec, "unexpected " + quoted(token.substr(digits)) + " in " + quoted(item));
    return value;
  }

  std::string_view text_;
};

CronExpr CronExpr::parse(std::string_view text) { return CronParser(text).parse(); }

bool CronExpr::day_matches(int year, unsigned month, unsigned day) const {
  const bool day_ok = has_bit(days_, day);
  const bool weekday_ok = has_bit(weekdays_, weekday_of(days_from_civil(year, month, day)));
  if (days_restricted_ && weekdays_restricted_) return day_ok || weekday_ok;  // Vixie cron
  return day_ok && weekday_ok;
}

// The first local wall-clock time at or after `local_seconds` that matches.
std::optional<int64_t> CronExpr::next_local_match(int64_t local_seconds) const {
  WallClock t = WallClock::from_seconds(local_seconds);
  const int last_year = t.year + kSearchYears;
  while (t.year <= last_year) {
    if (!has_bit(months_, t.month)) {
      t.next_month();
      continue;
    }
    if (!day_matches(t.year, t.month, t.day)) {
      t.next_day();
      continue;
    }
    const std::optional<unsigned> hour = next_set_bit(hours_, t.hour);
    if (!hour) {
      t.next_day();
      continue;
    }
    if (*hour != t.hour) t.start_hour_at(*hour);
    const std::optional<unsigned> minute = next_set_bit(minutes_, t.minute);
    if (!minute) {
      t.next_hour();
      continue;
    }
    if (*minute != t.minute) t.start_minute_at(*minute);
    const std::optional<unsigned> second = next_set_bit(seconds_, t.second);
    if (!second) {
      t.next_minute();
      continue;
    }
    t.second = *second;
    return t.to_seconds();
  }
  return std::nullopt;
}

// Local times in a DST gap fire at the transition (the first valid instant
// after the gap); local times in a fold fire at their first occurrence only,
// so matches whose first occurrence is not after the instant are skipped.
std::optional<int64_t> CronExpr::next_after(int64_t epoch_seconds, const TimeZone& zone) const {
  if (epoch_seconds < kEarliestInstant || epoch_seconds > kLatestInstant) return std::nullopt;
  int64_t from_local = zone.to_local(epoch_seconds) + 1;
  while (const std::optional<int64_t> local = next_local_match(from_local)) {
    const int64_t instant = zone.from_local(*local).earlier;
    if (instant > epoch_seconds) return instant;
    from_local = *local + 1;
  }
  return std::nullopt;
}

}  // namespace weft::engine
