// Cron schedules as data: expression, zone and start instant with the next
// fires expected (written with their UTC offsets, cross-checked with python3
// zoneinfo), and invalid expressions with the message fragment expected.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/cron.hpp"

using weft::engine::CronExpr;
using weft::engine::CronSyntaxError;
using weft::engine::TimeZone;

namespace {

// "2024-03-10T03:00:00-04:00" or "...Z" to seconds since the epoch.
int64_t instant(const std::string& iso) {
  int year, month, day, hour, minute, second, offset_hours = 0, offset_minutes = 0;
  char sign = 'Z';
  const int read = std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d%c%d:%d", &year, &month, &day, &hour,
                               &minute, &second, &sign, &offset_hours, &offset_minutes);
  REQUIRE((read == 7 || read == 9));
  const int offset = (sign == '-' ? -1 : 1) * (offset_hours * 3600 + offset_minutes * 60);
  return weft::engine::days_from_civil(year, unsigned(month), unsigned(day)) * 86400 + hour * 3600 +
         minute * 60 + second - offset;
}

struct FireCase {
  const char* expr;
  const char* zone;
  const char* from;
  std::vector<std::string> expected;
};

const std::vector<FireCase> kFireCases = {
    // Syntax elements, in UTC.
    {"* * * * *", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z", "2024-01-01T00:03:00Z"}},
    {"*/15 * * * *", "UTC", "2024-01-01T00:07:00Z",
     {"2024-01-01T00:15:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:45:00Z", "2024-01-01T01:00:00Z"}},
    {"5 4 * * *", "UTC", "2024-01-01T04:05:00Z", {"2024-01-02T04:05:00Z", "2024-01-03T04:05:00Z"}},
    {"05 04 * * *", "UTC", "2024-01-01T04:04:59Z", {"2024-01-01T04:05:00Z", "2024-01-02T04:05:00Z"}},
    {"  0   12 * *  *  ", "UTC", "2024-01-01T12:00:00Z", {"2024-01-02T12:00:00Z"}},
    {"0 9-17/4 * * *", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-01T09:00:00Z", "2024-01-01T13:00:00Z", "2024-01-01T17:00:00Z", "2024-01-02T09:00:00Z"}},
    {"10/20 * * * *", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-01T00:10:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:50:00Z", "2024-01-01T01:10:00Z"}},
    {"1,2-4,*/30 * * * *", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z", "2024-01-01T00:03:00Z", "2024-01-01T00:04:00Z",
      "2024-01-01T00:30:00Z", "2024-01-01T01:00:00Z"}},
    {"30 12 1,15 * *", "UTC", "2024-01-01T13:00:00Z",
     {"2024-01-15T12:30:00Z", "2024-02-01T12:30:00Z", "2024-02-15T12:30:00Z"}},
    {"0 12 */10 * *", "UTC", "2024-01-01T12:00:00Z",
     {"2024-01-11T12:00:00Z", "2024-01-21T12:00:00Z", "2024-01-31T12:00:00Z", "2024-02-01T12:00:00Z"}},
    {"0 0 * * 2-4/2", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-02T00:00:00Z", "2024-01-04T00:00:00Z", "2024-01-09T00:00:00Z"}},
    {"0 0 1 1 *", "UTC", "2024-12-31T23:59:59Z", {"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
    {"0 0 1 1 *", "UTC", "1969-06-01T00:00:00Z", {"1970-01-01T00:00:00Z", "1971-01-01T00:00:00Z"}},
    // Names, any case; weekday 0 and 7 are both Sunday.
    {"0 0 * * MON-FRI", "UTC", "2024-01-05T12:00:00Z",
     {"2024-01-08T00:00:00Z", "2024-01-09T00:00:00Z", "2024-01-10T00:00:00Z"}},
    {"0 0 1 jan,JUL *", "UTC", "2024-01-01T00:00:00Z",
     {"2024-07-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-07-01T00:00:00Z"}},
    {"0 0 * feb-Apr Sun", "UTC", "2024-01-01T00:00:00Z", {"2024-02-04T00:00:00Z", "2024-02-11T00:00:00Z"}},
    {"0 0 * * 0", "UTC", "2024-01-01T00:00:00Z", {"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
    {"0 0 * * 7", "UTC", "2024-01-01T00:00:00Z", {"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
    {"0 0 * * 5-7", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z", "2024-01-12T00:00:00Z"}},
    {"0 0 * * */3", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-03T00:00:00Z", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z", "2024-01-10T00:00:00Z"}},
    // Day-of-month and day-of-week: either matches when both are restricted.
    {"0 12 13 * FRI", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-05T12:00:00Z", "2024-01-12T12:00:00Z", "2024-01-13T12:00:00Z", "2024-01-19T12:00:00Z"}},
    {"0 12 13 * *", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-13T12:00:00Z", "2024-02-13T12:00:00Z", "2024-03-13T12:00:00Z"}},
    {"0 12 ? * FRI", "UTC", "2024-01-01T00:00:00Z",
     {"2024-01-05T12:00:00Z", "2024-01-12T12:00:00Z", "2024-01-19T12:00:00Z"}},
    {"0 12 1-7 * ?", "UTC", "2024-01-30T00:00:00Z", {"2024-02-01T12:00:00Z", "2024-02-02T12:00:00Z"}},
    // Leap years and ends of months.
    {"0 0 29 2 *", "UTC", "2023-01-01T00:00:00Z",
     {"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
    {"0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", {"2104-02-29T00:00:00Z"}},
    {"0 0 31 * *", "UTC", "2024-01-31T00:00:00Z",
     {"2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z", "2024-08-31T00:00:00Z"}},
    {"0 0 28-31 2 *", "UTC", "2023-02-27T00:00:00Z",
     {"2023-02-28T00:00:00Z", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}},
    {"0 0 30 2 *", "UTC", "2024-01-01T00:00:00Z", {}},
    // Seconds first when there are 6 fields.
    {"*/20 * * * * *", "UTC", "2024-01-01T00:00:05Z",
     {"2024-01-01T00:00:20Z", "2024-01-01T00:00:40Z", "2024-01-01T00:01:00Z"}},
    {"30 59 23 31 12 *", "UTC", "2023-06-01T00:00:00Z", {"2023-12-31T23:59:30Z", "2024-12-31T23:59:30Z"}},
    {"0 0 */6 * * *", "UTC", "2024-01-01T05:59:59Z", {"2024-01-01T06:00:00Z", "2024-01-01T12:00:00Z"}},
    // Macros.
    {"@yearly", "UTC", "2024-03-01T00:00:00Z", {"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
    {"@annually", "UTC", "2024-03-01T00:00:00Z", {"2025-01-01T00:00:00Z"}},
    {"@monthly", "UTC", "2024-01-31T00:00:00Z", {"2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"}},
    {"@weekly", "UTC", "2024-01-03T00:00:00Z", {"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
    {"@daily", "UTC", "2024-01-03T00:00:00Z", {"2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z"}},
    {"@MIDNIGHT", "UTC", "2024-02-28T10:00:00Z", {"2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"}},
    {"@hourly", "UTC", "2024-01-01T23:30:00Z", {"2024-01-02T00:00:00Z", "2024-01-02T01:00:00Z"}},
    // Zones: wall-clock times in the zone, across DST transitions.
    {"0 0 * * *", "America/New_York", "2024-07-01T12:00:00-04:00",
     {"2024-07-02T00:00:00-04:00", "2024-07-03T00:00:00-04:00"}},
    {"0 9 * * MON", "Europe/Paris", "2024-01-01T09:00:00+01:00",
     {"2024-01-08T09:00:00+01:00", "2024-01-15T09:00:00+01:00"}},
    // New York springs forward at 02:00 EST on 2024-03-10: 02:xx does not
    // exist and fires once at 03:00 EDT.
    {"30 2 * * *", "America/New_York", "2024-03-09T12:00:00-05:00",
     {"2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00", "2024-03-12T02:30:00-04:00"}},
    {"0 * * * *", "America/New_York", "2024-03-10T00:30:00-05:00",
     {"2024-03-10T01:00:00-05:00", "2024-03-10T03:00:00-04:00", "2024-03-10T04:00:00-04:00"}},
    {"* * * * *", "America/New_York", "2024-03-10T01:58:00-05:00",
     {"2024-03-10T01:59:00-05:00", "2024-03-10T03:00:00-04:00", "2024-03-10T03:01:00-04:00"}},
    {"*/20 2 * * *", "America/New_York", "2024-03-10T00:00:00-05:00",
     {"2024-03-10T03:00:00-04:00", "2024-03-11T02:00:00-04:00"}},
    // New York falls back at 02:00 EDT on 2024-11-03: 01:xx happens twice and
    // fires on its first occurrence only.
    {"*/30 1 * * *", "America/New_York", "2024-11-03T00:00:00-04:00",
     {"2024-11-03T01:00:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-04T01:00:00-05:00"}},
    {"0 * * * *", "America/New_York", "2024-11-03T00:30:00-04:00",
     {"2024-11-03T01:00:00-04:00", "2024-11-03T02:00:00-05:00", "2024-11-03T03:00:00-05:00"}},
    {"*/15 * * * *", "America/New_York", "2024-11-03T01:20:00-05:00",
     {"2024-11-03T02:00:00-05:00", "2024-11-03T02:15:00-05:00"}},
    {"0 0 * * *", "America/New_York", "2024-11-02T12:00:00-04:00",
     {"2024-11-03T00:00:00-04:00", "2024-11-04T00:00:00-05:00"}},
    // Paris springs forward at 02:00 CET on 2024-03-31 and falls back at
    // 03:00 CEST on 2024-10-27.
    {"30 2 * * *", "Europe/Paris", "2024-03-30T12:00:00+01:00",
     {"2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00"}},
    {"30 2 * * *", "Europe/Paris", "2024-10-26T12:00:00+02:00",
     {"2024-10-27T02:30:00+02:00", "2024-10-28T02:30:00+01:00"}},
    {"0,30 2-3 * * *", "Europe/Paris", "2024-10-27T01:00:00+02:00",
     {"2024-10-27T02:00:00+02:00", "2024-10-27T02:30:00+02:00", "2024-10-27T03:00:00+01:00",
      "2024-10-27T03:30:00+01:00"}},
    // Past the TZif transition table the POSIX footer rule applies.
    {"30 2 * * *", "Europe/Paris", "2060-03-27T12:00:00+01:00",
     {"2060-03-28T03:00:00+02:00", "2060-03-29T02:30:00+02:00"}},
    {"0 1 * * *", "America/New_York", "2100-11-06T12:00:00-04:00",
     {"2100-11-07T01:00:00-04:00", "2100-11-08T01:00:00-05:00"}},
};

struct InvalidCase {
  const char* expr;
  const char* message;
};

const std::vector<InvalidCase> kInvalidCases = {
    {"", "expected 5 or 6 fields, got 0"},
    {"* * * *", "expected 5 or 6 fields, got 4"},
    {"* * * * * * *", "expected 5 or 6 fields, got 7"},
    {"@daily 5", "expected 5 or 6 fields, got 2"},
    {"@reboot", "unknown macro \"@reboot\""},
    {"61 * * * *", "minute: value 61 out of range 0-59"},
    {"60 * * * * *", "second: value 60 out of range 0-59"},
    {"* 24 * * *", "hour: value 24 out of range 0-23"},
    {"* * 0 * *", "day-of-month: value 0 out of range 1-31"},
    {"* * 32 * *", "day-of-month: value 32 out of range 1-31"},
    {"* * * 13 *", "month: value 13 out of range 1-12"},
    {"* * * * 8", "day-of-week: value 8 out of range 0-7"},
    {"1,,2 * * * *", "minute: empty list item in \"1,,2\""},
    {"* * * * 1,", "day-of-week: empty list item in \"1,\""},
    {"*/0 * * * *", "minute: step 0 out of range 1-59"},
    {"* * * * */8", "day-of-week: step 8 out of range 1-7"},
    {"* 5-3 * * *", "hour: range 5-3 is reversed"},
    {"* * * NOV-FEB *", "month: range 11-2 is reversed"},
    {"* * * FOO *", "month: unknown name \"FOO\""},
    {"* * * * FUNDAY", "day-of-week: unknown name \"FUNDAY\""},
    {"* * * * January", "day-of-week: unknown name \"January\""},
    {"a * * * *", "minute: expected a number, got \"a\""},
    {"* * MON * *", "day-of-month: expected a number, got \"MON\""},
    {"*5 * * * *", "minute: expected a number, got \"*5\""},
    {"5x * * * *", "minute: unexpected \"x\" in \"5x\""},
    {"1-2-3 * * * *", "minute: unexpected \"-3\" in \"1-2-3\""},
    {"*/2/3 * * * *", "minute: unexpected \"/3\" in \"*/2/3\""},
    {"*/ * * * *", "minute: missing number in \"*/\""},
    {"* * * * MON-", "day-of-week: missing number in \"MON-\""},
    {"99999 * * * *", "minute: number too large in \"99999\""},
    {"? * * * *", "minute: '?' is allowed only in day-of-month and day-of-week"},
};

std::vector<std::string> next_fires(const FireCase& c) {
  const CronExpr expr = CronExpr::parse(c.expr);
  const TimeZone zone = std::string(c.zone) == "UTC" ? TimeZone::utc() : TimeZone::load(c.zone);
  std::vector<std::string> fires;
  int64_t from = instant(c.from);
  for (size_t i = 0; i < std::max<size_t>(c.expected.size(), 1); ++i) {
    const std::optional<int64_t> next = expr.next_after(from, zone);
    if (!next) break;
    fires.push_back(std::to_string(*next));
    from = *next;
  }
  return fires;
}

}  // namespace

TEST_CASE("cron expressions fire at the expected instants", "[cron]") {
  for (const FireCase& c : kFireCases) {
    INFO("cron \"" << c.expr << "\" in " << c.zone << " after " << c.from);
    std::vector<std::string> expected;
    for (const std::string& iso : c.expected) expected.push_back(std::to_string(instant(iso)));
    CHECK(next_fires(c) == expected);
  }
}

TEST_CASE("invalid cron expressions name the field and the problem", "[cron]") {
  for (const InvalidCase& c : kInvalidCases) {
    INFO("cron \"" << c.expr << "\"");
    CHECK_THROWS_WITH(CronExpr::parse(c.expr), Catch::Contains(c.message));
  }
}

TEST_CASE("cron errors quote the whole expression first", "[cron]") {
  CHECK_THROWS_AS(CronExpr::parse("61 * * * *"), CronSyntaxError);
  CHECK_THROWS_WITH(CronExpr::parse("61 * * * *"), "cron \"61 * * * *\": minute: value 61 out of range 0-59");
}

TEST_CASE("a never-matching expression gives up quickly", "[cron]") {
  const CronExpr expr = CronExpr::parse("* * * 31 2 *");
  CHECK_FALSE(expr.next_after(instant("2024-01-01T00:00:00Z"), TimeZone::utc()));
  CHECK(expr.text() == "* * * 31 2 *");
}

TEST_CASE("instants outside years 1-9999 have no next fire", "[cron]") {
  const CronExpr expr = CronExpr::parse("* * * * *");
  CHECK_FALSE(expr.next_after(int64_t{1} << 50, TimeZone::utc()));
  CHECK_FALSE(expr.next_after(-(int64_t{1} << 50), TimeZone::utc()));
}
