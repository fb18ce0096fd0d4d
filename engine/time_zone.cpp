// TZif reading (RFC 8536: v1 with 32-bit times, v2/v3 with the 64-bit section
// and the POSIX TZ footer) and UTC <-> local conversion (see time_zone.hpp).
// Design: only UTC offsets are kept; abbreviations and isdst are not needed.
#include "engine/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace weft::engine {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr size_t kMaxTzifBytes = 1 << 20;

[[noreturn]] void fail_rule(std::string_view text, const std::string& problem) {
  throw TimeZoneError("POSIX TZ rule \"" + std::string(text) + "\": " + problem);
}

[[noreturn]] void fail_zone(std::string_view zone, const std::string& problem) {
  throw TimeZoneError("time zone \"" + std::string(zone) + "\": " + problem);
}

}  // namespace

// Recursive-descent reader of a POSIX TZ string:
//   std offset [dst [offset] [,start[/time],end[/time]]]
class PosixRuleParser {
 public:
  explicit PosixRuleParser(std::string_view text) : text_(text) {}

  PosixZoneRule parse() {
    PosixZoneRule rule;
    zone_name();
    rule.std_offset_ = -offset(24);
    if (at_end()) return rule;
    zone_name();
    rule.dst_offset_ = (at_end() || peek() == ',') ? rule.std_offset_ + 3600 : -offset(24);
    if (at_end()) return rule;
    expect(',');
    rule.dst_start_ = date_rule();
    expect(',');
    rule.dst_end_ = date_rule();
    if (!at_end()) fail("unexpected \"" + std::string(text_.substr(pos_)) + "\"");
    return rule;
  }

 private:
  using DateRule = PosixZoneRule::DateRule;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool is_digit() const { return peek() >= '0' && peek() <= '9'; }
  [[noreturn]] void fail(const std::string& problem) const { fail_rule(text_, problem); }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "' at position " + std::to_string(pos_));
    ++pos_;
  }

  // "EST" or "<-03>".
  void zone_name() {
    size_t start = pos_;
    if (peek() == '<') {
      size_t close = text_.find('>', pos_);
      if (close == std::string_view::npos) fail("unterminated '<' in zone name");
      pos_ = close + 1;
      return;
    }
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
    if (pos_ - start < 3) fail("zone name of fewer than 3 letters at position " + std::to_string(start));
  }

  int number(int max) {
    if (!is_digit()) fail("expected a number at position " + std::to_string(pos_));
    int value = 0;
    while (is_digit()) {
      value = value * 10 + (text_[pos_++] - '0');
      if (value > max) fail("number above " + std::to_string(max) + " at position " + std::to_string(pos_));
    }
    return value;
  }

  // [+-]hh[:mm[:ss]] in seconds, as written (positive = west of UTC).
  int offset(int max_hours) {
    int sign = 1;
    if (peek() == '+' || peek() == '-') sign = text_[pos_++] == '-' ? -1 : 1;
    int seconds = number(max_hours) * 3600;
    if (peek() == ':') {
      ++pos_;
      seconds += number(59) * 60;
      if (peek() == ':') {
        ++pos_;
        seconds += number(59);
      }
    }
    return sign * seconds;
  }

  DateRule date_rule() {
    DateRule rule{};
    if (peek() == 'J') {
      ++pos_;
      rule.kind = DateRule::Kind::julian_no_leap;
      rule.day_number = number(365);
      if (rule.day_number < 1) fail("Julian day 0 (J counts from 1)");
    } else if (peek() == 'M') {
      ++pos_;
      rule.kind = DateRule::Kind::month_week_day;
      rule.month = number(12);
      expect('.');
      rule.week = number(5);
      expect('.');
      rule.weekday = number(6);
      if (rule.month < 1 || rule.week < 1) fail("month and week count from 1");
    } else {
      rule.kind = DateRule::Kind::zero_based;
      rule.day_number = number(365);
    }
    rule.time = 2 * 3600;
    if (peek() == '/') {
      ++pos_;
      rule.time = offset(167);  // RFC 8536 extension: -167h to 167h
    }
    return rule;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

PosixZoneRule PosixZoneRule::parse(std::string_view text) { return PosixRuleParser(text).parse(); }

int64_t PosixZoneRule::DateRule::local_seconds_in(int year) const {
  int64_t day = 0;
  switch (kind) {
    case Kind::julian_no_leap:
      day = days_from_civil(year, 1, 1) + day_number - 1 + (is_leap_year(year) && day_number >= 60);
      break;
    case Kind::zero_based:
      day = days_from_civil(year, 1, 1) + day_number;
      break;
    case Kind::month_week_day: {
      const int64_t first = days_from_civil(year, month, 1);
      const int64_t last = first + days_in_month(year, month) - 1;
      day = first + (weekday + 7 - int(weekday_of(first))) % 7 + (week - 1) * 7;
      while (day > last) day -= 7;  // week 5 means "last"
      break;
    }
  }
  return day * kSecondsPerDay + time;
}

std::array<PosixZoneRule::Transition, 2> PosixZoneRule::transitions_in(int year) const {
  // The start is written in standard time, the end in daylight time.
  return {Transition{dst_start_.local_seconds_in(year) - std_offset_, *dst_offset_},
          Transition{dst_end_.local_seconds_in(year) - *dst_offset_, std_offset_}};
}

int PosixZoneRule::offset_at(int64_t utc_seconds) const {
  if (!dst_offset_) return std_offset_;
  const int year = civil_from_days(day_of(utc_seconds + std_offset_)).year;
  // The latest transition at or before the instant; on a tie the later one
  // listed wins, so "start of year y" beats "end of year y-1" (permanent DST).
  int offset = std_offset_;
  int64_t latest = std::numeric_limits<int64_t>::min();
  for (int y = year - 1; y <= year + 1; ++y) {
    for (const Transition& t : transitions_in(y)) {
      if (t.utc <= utc_seconds && t.utc >= latest) {
        latest = t.utc;
        offset = t.offset;
      }
    }
  }
  return offset;
}

namespace {

// Big-endian reads over a TZif file, failing on truncation.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string_view zone) : bytes_(bytes), zone_(zone) {}

  std::string_view take(size_t n) {
    if (n > bytes_.size() - pos_) fail_zone(zone_, "truncated TZif file");
    std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view rest() const { return bytes_.substr(pos_); }
  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint64_t unsigned_be(size_t width) {
    uint64_t value = 0;
    for (char c : take(width)) value = (value << 8) | static_cast<uint8_t>(c);
    return value;
  }
  int32_t i32() { return static_cast<int32_t>(static_cast<uint32_t>(unsigned_be(4))); }
  int64_t time(size_t width) {
    return width == 4 ? i32() : static_cast<int64_t>(unsigned_be(8));
  }

 private:
  std::string_view bytes_;
  std::string_view zone_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version;
  uint32_t isut_count, isstd_count, leap_count, time_count, type_count, char_count;

  size_t body_size(size_t time_width) const {
    return size_t{time_count} * (time_width + 1) + size_t{type_count} * 6 + char_count +
           size_t{leap_count} * (time_width + 4) + isstd_count + isut_count;
  }
};

TzifHeader read_header(ByteReader& in, std::string_view zone) {
  if (in.take(4) != "TZif") fail_zone(zone, "not a TZif file");
  TzifHeader h{};
  h.version = static_cast<char>(in.u8());
  in.take(15);
  h.isut_count = uint32_t(in.unsigned_be(4));
  h.isstd_count = uint32_t(in.unsigned_be(4));
  h.leap_count = uint32_t(in.unsigned_be(4));
  h.time_count = uint32_t(in.unsigned_be(4));
  h.type_count = uint32_t(in.unsigned_be(4));
  h.char_count = uint32_t(in.unsigned_be(4));
  if (h.type_count == 0) fail_zone(zone, "TZif file without local time types");
  if (h.leap_count != 0) fail_zone(zone, "leap-second zone files (right/...) are not supported");
  return h;
}

// "\n<POSIX TZ>\n" after a v2+ body; an empty rule means none.
std::optional<PosixZoneRule> read_footer(std::string_view rest, std::string_view zone) {
  const size_t end = rest.find('\n', 1);
  if (rest.empty() || rest[0] != '\n' || end == std::string_view::npos)
    fail_zone(zone, "TZif footer missing or malformed");
  const std::string_view rule = rest.substr(1, end - 1);
  if (rule.empty()) return std::nullopt;
  try {
    return PosixZoneRule::parse(rule);
  } catch (const TimeZoneError& e) {
    fail_zone(zone, e.what());
  }
}

std::string read_file(const std::string& path, std::string_view zone) {
  std::ifstream file(path, std::ios::binary);
  if (!file) fail_zone(zone, "unknown time zone (no file " + path + ")");
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (bytes.str().size() > kMaxTzifBytes) fail_zone(zone, "TZif file too large");
  return bytes.str();
}

void check_zone_name(std::string_view name) {
  if (name.empty()) fail_zone(name, "empty zone name");
  if (name.find("..") != std::string_view::npos || name.front() == '/')
    fail_zone(name, "refused: zone names are relative and may not contain \"..\"");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("/_-+.").find(c) == std::string_view::npos)
      fail_zone(name, std::string("refused: character '") + c + "' in zone name");
  }
}

}  // namespace

TimeZone TimeZone::utc() { return TimeZone("UTC"); }

TimeZone TimeZone::load(std::string_view iana_name) {
  check_zone_name(iana_name);
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(iana_name);
  return from_tzif(iana_name, read_file(path, iana_name));
}

TimeZone TimeZone::from_tzif(std::string_view name, std::string_view bytes) {
  TimeZone zone{std::string(name)};
  ByteReader in(bytes, name);
  TzifHeader header = read_header(in, name);
  size_t time_width = 4;
  if (header.version != '\0') {  // v2+: skip the 32-bit body, read the 64-bit one
    in.take(header.body_size(4));
    header = read_header(in, name);
    time_width = 8;
  }
  if (header.body_size(time_width) > in.rest().size()) fail_zone(name, "truncated TZif file");
  zone.transition_times_.resize(header.time_count);
  for (int64_t& t : zone.transition_times_) t = in.time(time_width);
  std::vector<uint8_t> type_of_transition(header.time_count);
  for (uint8_t& index : type_of_transition) index = in.u8();
  std::vector<int> type_offsets(header.type_count);
  for (int& offset : type_offsets) {
    offset = in.i32();
    in.take(2);  // isdst, abbreviation index
  }
  in.take(header.char_count + header.isstd_count + header.isut_count);

  if (!std::is_sorted(zone.transition_times_.begin(), zone.transition_times_.end()))
    fail_zone(name, "TZif transitions out of order");
  for (uint8_t index : type_of_transition) {
    if (index >= header.type_count) fail_zone(name, "TZif transition with a bad type index");
    zone.transition_offsets_.push_back(type_offsets[index]);
  }
  zone.initial_offset_ = type_offsets[0];

  if (time_width == 8) zone.footer_ = read_footer(in.rest(), name);
  return zone;
}

int TimeZone::offset_at(int64_t utc_seconds) const {
  const auto after = std::upper_bound(transition_times_.begin(), transition_times_.end(), utc_seconds);
  if (after == transition_times_.end() && footer_) return footer_->offset_at(utc_seconds);
  if (after == transition_times_.begin()) return initial_offset_;
  return transition_offsets_[size_t(after - transition_times_.begin()) - 1];
}

LocalTimeMapping TimeZone::from_local(int64_t local_seconds) const {
  const int before = offset_at(local_seconds - kSecondsPerDay);
  const int after = offset_at(local_seconds + kSecondsPerDay);
  const int64_t with_before = local_seconds - before;
  const int64_t with_after = local_seconds - after;
  const bool before_holds = offset_at(with_before) == before;
  const bool after_holds = offset_at(with_after) == after;
  if (before_holds && after_holds && with_before != with_after)
    return {LocalTimeMapping::Kind::ambiguous, std::min(with_before, with_after),
            std::max(with_before, with_after)};
  if (before_holds) return {LocalTimeMapping::Kind::unique, with_before, with_before};
  if (after_holds) return {LocalTimeMapping::Kind::unique, with_after, with_after};
  // A gap: the clock jumped from `before` to `after` inside (with_after, with_before].
  const int64_t transition = first_instant_with_offset(with_after + 1, with_before, after);
  return {LocalTimeMapping::Kind::skipped, transition, transition};
}

// Binary search for the first instant in [low, high] whose offset is `offset`,
// given a single transition to it in that range.
int64_t TimeZone::first_instant_with_offset(int64_t low, int64_t high, int offset) const {
  while (low < high) {
    const int64_t mid = low + (high - low) / 2;
    if (offset_at(mid) == offset)
      high = mid;
    else
      low = mid + 1;
  }
  return low;
}

}  // namespace weft::engine
