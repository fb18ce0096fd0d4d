// IANA time zones read from the system's tz database (TZif v1/v2/v3 files
// under $TZDIR or /usr/share/zoneinfo), with the POSIX TZ footer rule that
// covers instants past the file's last transition; UTC <-> local conversion.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::engine {

// Proleptic Gregorian calendar helpers shared by zones and cron schedules.
struct CivilDate {
  int year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};

inline int64_t days_from_civil(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}}
      .time_since_epoch()
      .count();
}

inline CivilDate civil_from_days(int64_t days) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  return {int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day())};
}

// Days since 1970-01-01 of the day holding `seconds` (floor division).
inline int64_t day_of(int64_t seconds) {
  return seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
}

// 0 = Sunday ... 6 = Saturday.
inline unsigned weekday_of(int64_t days) {
  using namespace std::chrono;
  return weekday{sys_days{std::chrono::days{days}}}.c_encoding();
}

inline unsigned days_in_month(int year, unsigned month) {
  using namespace std::chrono;
  return unsigned(year_month_day_last{std::chrono::year{year}, month_day_last{std::chrono::month{month}}}.day());
}

inline bool is_leap_year(int year) { return std::chrono::year{year}.is_leap(); }

// An unknown, refused or malformed zone: the message names the zone.
class TimeZoneError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A POSIX TZ string as found in a TZif footer, e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
// Offsets are kept as seconds east of UTC (the opposite sign of the string).
class PosixZoneRule {
 public:
  // Throws TimeZoneError naming the string and the problem.
  static PosixZoneRule parse(std::string_view text);

  int offset_at(int64_t utc_seconds) const;

 private:
  // One end of daylight time: a day of the year and a local time of day.
  struct DateRule {
    enum class Kind { julian_no_leap, zero_based, month_week_day } kind;
    int day_number = 0;   // Jn: 1-365 (Feb 29 never counted); n: 0-365
    int month = 0;        // Mm.w.d: month 1-12,
    int week = 0;         //   week 1-5 (5 = last),
    int weekday = 0;      //   day of week 0-6 (Sunday = 0)
    int time = 2 * 3600;  // seconds after local midnight, may be <0 or >24h
    int64_t local_seconds_in(int year) const;
  };
  struct Transition {
    int64_t utc;
    int offset;  // in force from `utc` on
  };
  friend class PosixRuleParser;

  // Start of daylight time, then its end, in the given year.
  std::array<Transition, 2> transitions_in(int year) const;

  int std_offset_ = 0;
  std::optional<int> dst_offset_;
  // Without rules in the string: the US rules, as glibc assumes.
  DateRule dst_start_{DateRule::Kind::month_week_day, 0, 3, 2, 0};
  DateRule dst_end_{DateRule::Kind::month_week_day, 0, 11, 1, 0};
};

// How a local wall-clock time maps to instants. `unique`: `earlier` ==
// `later`. `ambiguous` (fall-back fold): both instants show that time.
// `skipped` (spring-forward gap): no instant shows it; `earlier` and `later`
// are both the transition instant, the first valid instant after the gap.
struct LocalTimeMapping {
  enum class Kind { unique, ambiguous, skipped } kind;
  int64_t earlier;
  int64_t later;
};

class TimeZone {
 public:
  static TimeZone utc();
  // Loads "Area/City" from $TZDIR or /usr/share/zoneinfo. Throws
  // TimeZoneError for unknown names, names with "..", or unreadable files.
  static TimeZone load(std::string_view iana_name);
  // Builds a zone from the bytes of a TZif file.
  static TimeZone from_tzif(std::string_view name, std::string_view bytes);

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at the instant.
  int offset_at(int64_t utc_seconds) const;
  // Local wall-clock seconds (as if the local time were UTC) at the instant.
  int64_t to_local(int64_t utc_seconds) const { return utc_seconds + offset_at(utc_seconds); }
  // Assumes transitions are more than a day apart, as in every current zone.
  LocalTimeMapping from_local(int64_t local_seconds) const;

 private:
  explicit TimeZone(std::string name) : name_(std::move(name)) {}
  int64_t first_instant_with_offset(int64_t low, int64_t high, int offset) const;

  std::string name_;
  std::vector<int64_t> transition_times_;  // ascending UTC instants
  std::vector<int> transition_offsets_;    // offset in force from each time
  int initial_offset_ = 0;                 // before the first transition
  std::optional<PosixZoneRule> footer_;    // after the last transition
};

}  // namespace weft::engine
