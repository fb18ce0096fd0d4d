// Cron expressions for schedules: parsing of 5- and 6-field expressions and
// macros, and the next fire time after an instant in a time zone (DST gaps
// fire at the end of the gap, folds fire once). Syntax: docs/schedules.md.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/time_zone.hpp"

namespace weft::engine {

// A rejected expression; the message names the expression, the field and
// the problem: cron "61 * * * *": minute: value 61 out of range 0-59
class CronSyntaxError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class CronExpr {
 public:
  // How far next_after looks before giving up: "0 0 30 2 *" never fires,
  // and Feb 29 can be 8 years away (2096 -> 2104).
  static constexpr int kSearchYears = 10;

  static CronExpr parse(std::string_view text);

  // The first fire time strictly after `epoch_seconds`, or nullopt if there
  // is none within kSearchYears or the instant lies outside years 1-9999.
  std::optional<int64_t> next_after(int64_t epoch_seconds, const TimeZone& zone) const;

  const std::string& text() const { return text_; }

 private:
  friend class CronParser;

  bool day_matches(int year, unsigned month, unsigned day) const;
  std::optional<int64_t> next_local_match(int64_t local_seconds) const;

  std::string text_;
  uint64_t seconds_ = 0;  // bit n set: second n fires (0-59)
  uint64_t minutes_ = 0;  // 0-59
  uint32_t hours_ = 0;    // 0-23
  uint32_t days_ = 0;     // day of month, 1-31
  uint16_t months_ = 0;   // 1-12
  uint8_t weekdays_ = 0;  // 0-6, Sunday = 0
  bool days_restricted_ = false;      // day-of-month was not `*` or `?`
  bool weekdays_restricted_ = false;  // day-of-week was not `*` or `?`
};

}  // namespace weft::engine
