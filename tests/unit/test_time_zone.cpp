// Time zones: offsets from the system's TZif files and their POSIX footers
// (values cross-checked with python3 zoneinfo), local time gaps and folds,
// refused names, a hand-made TZif v1 file, and POSIX TZ rule parsing.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/time_zone.hpp"

using weft::engine::LocalTimeMapping;
using weft::engine::PosixZoneRule;
using weft::engine::TimeZone;
using weft::engine::TimeZoneError;

namespace {

int64_t utc(int year, unsigned month, unsigned day, int hour = 0, int minute = 0) {
  return weft::engine::days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60;
}

struct OffsetCase {
  const char* zone;
  int64_t instant;
  int offset;
};

// A TZif v1 file: one transition at 1e9 from +01:00 to +02:00.
std::string tzif_v1() {
  std::string bytes = "TZif";
  bytes += '\0';                 // version 1
  bytes += std::string(15, '\0');
  for (int count : {0, 0, 0, 1, 2, 8}) bytes += std::string{'\0', '\0', '\0', char(count)};
  bytes += std::string{'\x3b', '\x9a', '\xca', '\x00'};  // 1000000000
  bytes += '\x01';
  bytes += std::string{'\0', '\0', '\x0e', '\x10', '\0', '\0'};    // +3600
  bytes += std::string{'\0', '\0', '\x1c', '\x20', '\1', '\x04'};  // +7200, dst
  bytes += std::string("AAA\0BBB\0", 8);
  return bytes;
}

}  // namespace

TEST_CASE("zones give the UTC offset in force at an instant", "[time_zone]") {
  const OffsetCase cases[] = {
      {"America/New_York", utc(2024, 1, 15, 12), -5 * 3600},
      {"America/New_York", utc(2024, 7, 15, 12), -4 * 3600},
      {"America/New_York", utc(2024, 3, 10, 6, 59), -5 * 3600},
      {"America/New_York", utc(2024, 3, 10, 7), -4 * 3600},
      {"America/New_York", utc(1800, 1, 1), -17762},  // LMT, before the first transition
      {"America/New_York", utc(2100, 1, 1), -5 * 3600},  // footer EST5EDT,M3.2.0,M11.1.0
      {"America/New_York", utc(2100, 7, 1), -4 * 3600},
      {"America/New_York", utc(2100, 3, 14, 7), -4 * 3600},
      {"Europe/Paris", utc(2024, 3, 31, 0, 59), 3600},
      {"Europe/Paris", utc(2024, 3, 31, 1), 7200},
      {"Europe/Paris", utc(2060, 10, 31, 0, 59), 7200},
      {"Europe/Paris", utc(2060, 10, 31, 1), 3600},
      {"Australia/Sydney", utc(2100, 1, 15), 11 * 3600},
      {"Australia/Sydney", utc(2100, 7, 15), 10 * 3600},
      {"Europe/Dublin", utc(2100, 1, 15), 0},  // negative DST: IST-1GMT0
      {"Europe/Dublin", utc(2100, 7, 15), 3600},
      {"Asia/Kolkata", utc(2024, 6, 1), 5 * 3600 + 1800},
      {"UTC", utc(2024, 6, 1), 0},
  };
  for (const OffsetCase& c : cases) {
    INFO(c.zone << " at " << c.instant);
    CHECK(TimeZone::load(c.zone).offset_at(c.instant) == c.offset);
  }
  CHECK(TimeZone::utc().offset_at(utc(2024, 6, 1)) == 0);
  CHECK(TimeZone::load("Europe/Paris").name() == "Europe/Paris");
}

TEST_CASE("local times map to one, two or no instants", "[time_zone]") {
  const TimeZone new_york = TimeZone::load("America/New_York");
  const int64_t local_noon = utc(2024, 6, 1, 12);
  const LocalTimeMapping noon = new_york.from_local(local_noon);
  CHECK(noon.kind == LocalTimeMapping::Kind::unique);
  CHECK(noon.earlier == utc(2024, 6, 1, 16));
  CHECK(new_york.to_local(noon.earlier) == local_noon);

  const LocalTimeMapping gap = new_york.from_local(utc(2024, 3, 10, 2, 30));
  CHECK(gap.kind == LocalTimeMapping::Kind::skipped);
  CHECK(gap.earlier == utc(2024, 3, 10, 7));
  CHECK(gap.later == utc(2024, 3, 10, 7));

  const LocalTimeMapping fold = new_york.from_local(utc(2024, 11, 3, 1, 30));
  CHECK(fold.kind == LocalTimeMapping::Kind::ambiguous);
  CHECK(fold.earlier == utc(2024, 11, 3, 5, 30));
  CHECK(fold.later == utc(2024, 11, 3, 6, 30));

  const LocalTimeMapping paris_gap = TimeZone::load("Europe/Paris").from_local(utc(2060, 3, 28, 2, 15));
  CHECK(paris_gap.kind == LocalTimeMapping::Kind::skipped);
  CHECK(paris_gap.earlier == utc(2060, 3, 28, 1));
}

TEST_CASE("unknown and unsafe zone names are refused", "[time_zone]") {
  CHECK_THROWS_WITH(TimeZone::load("Mars/Olympus_Mons"), Catch::Contains("unknown time zone"));
  CHECK_THROWS_WITH(TimeZone::load("../../etc/passwd"), Catch::Contains("\"..\""));
  CHECK_THROWS_WITH(TimeZone::load("/etc/passwd"), Catch::Contains("refused"));
  CHECK_THROWS_WITH(TimeZone::load("Europe/Paris;rm"), Catch::Contains("character ';'"));
  CHECK_THROWS_WITH(TimeZone::load(""), Catch::Contains("empty zone name"));
  CHECK_THROWS_AS(TimeZone::load("Nowhere"), TimeZoneError);
}

TEST_CASE("TZif v1 files use their 32-bit section", "[time_zone]") {
  const TimeZone zone = TimeZone::from_tzif("Test/V1", tzif_v1());
  CHECK(zone.offset_at(999999999) == 3600);
  CHECK(zone.offset_at(1000000000) == 7200);
  CHECK(zone.offset_at(int64_t{1} << 40) == 7200);  // no footer: last type persists
}

TEST_CASE("malformed TZif data is rejected", "[time_zone]") {
  const std::string v1 = tzif_v1();
  CHECK_THROWS_WITH(TimeZone::from_tzif("Test/Short", v1.substr(0, v1.size() - 3)),
                    Catch::Contains("truncated TZif file"));
  CHECK_THROWS_WITH(TimeZone::from_tzif("Test/Text", "hello, world, this is not a zone file at all"),
                    Catch::Contains("not a TZif file"));
}

TEST_CASE("TZDIR chooses the zone directory", "[time_zone]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("weft-tzdir-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "Test");
  std::ofstream(dir / "Test" / "V1", std::ios::binary) << tzif_v1();
  ::setenv("TZDIR", dir.c_str(), 1);
  const TimeZone zone = TimeZone::load("Test/V1");
  ::unsetenv("TZDIR");
  std::filesystem::remove_all(dir);
  CHECK(zone.offset_at(1000000000) == 7200);
}

TEST_CASE("POSIX TZ rules give offsets past the transition table", "[time_zone]") {
  const PosixZoneRule eastern = PosixZoneRule::parse("EST5EDT,M3.2.0,M11.1.0");
  CHECK(eastern.offset_at(utc(2100, 3, 14, 6, 59)) == -5 * 3600);
  CHECK(eastern.offset_at(utc(2100, 3, 14, 7)) == -4 * 3600);
  CHECK(eastern.offset_at(utc(2100, 11, 7, 5, 59)) == -4 * 3600);
  CHECK(eastern.offset_at(utc(2100, 11, 7, 6)) == -5 * 3600);

  const PosixZoneRule sydney = PosixZoneRule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  CHECK(sydney.offset_at(utc(2100, 1, 1)) == 11 * 3600);
  CHECK(sydney.offset_at(utc(2100, 6, 1)) == 10 * 3600);
  CHECK(sydney.offset_at(utc(2100, 12, 31, 20)) == 11 * 3600);

  CHECK(PosixZoneRule::parse("<-03>3").offset_at(utc(2100, 1, 1)) == -3 * 3600);
  CHECK(PosixZoneRule::parse("<+0530>-5:30").offset_at(0) == 5 * 3600 + 1800);
  CHECK(PosixZoneRule::parse("EST5EDT").offset_at(utc(2100, 7, 1)) == -4 * 3600);  // default US rules
  // Permanent daylight time, as RFC 8536 writes it.
  const PosixZoneRule permanent = PosixZoneRule::parse("EST5EDT,0/0,J365/25");
  CHECK(permanent.offset_at(utc(2100, 1, 1, 5)) == -4 * 3600);
  CHECK(permanent.offset_at(utc(2100, 7, 1)) == -4 * 3600);
  // Jn never counts Feb 29 (J60 is March 1); zero-based n does (59 is Feb 29 in 2024).
  const PosixZoneRule julian = PosixZoneRule::parse("AAA0BBB,J60/0,300/0");
  CHECK(julian.offset_at(utc(2024, 2, 29, 12)) == 0);
  CHECK(julian.offset_at(utc(2024, 3, 1)) == 3600);
  const PosixZoneRule zero_based = PosixZoneRule::parse("AAA0BBB,59/0,300/0");
  CHECK(zero_based.offset_at(utc(2024, 2, 29)) == 3600);
  CHECK(zero_based.offset_at(utc(2024, 2, 28, 23)) == 0);
}

TEST_CASE("malformed POSIX TZ rules are rejected with the problem", "[time_zone]") {
  CHECK_THROWS_WITH(PosixZoneRule::parse("EST"), Catch::Contains("expected a number"));
  CHECK_THROWS_WITH(PosixZoneRule::parse("E5"), Catch::Contains("fewer than 3 letters"));
  CHECK_THROWS_WITH(PosixZoneRule::parse("<EST5"), Catch::Contains("unterminated '<'"));
  CHECK_THROWS_WITH(PosixZoneRule::parse("EST5EDT,M13.1.0,M11.1.0"), Catch::Contains("number above 12"));
  CHECK_THROWS_WITH(PosixZoneRule::parse("EST5EDT,M3.2.0"), Catch::Contains("expected ','"));
  CHECK_THROWS_WITH(PosixZoneRule::parse("EST5EDT,J0,J100"), Catch::Contains("Julian day 0"));
  CHECK_THROWS_WITH(PosixZoneRule::parse("EST5EDT,M3.2.0,M11.1.0x"), Catch::Contains("unexpected \"x\""));
}
