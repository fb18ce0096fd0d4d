// Pages of runs (see run_pages.hpp).
#include "api/run_pages.hpp"

#include <chrono>

#include "stdlib/crypto_primitives.hpp"

namespace weft::api {
namespace {

constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 1000;

bool all_digits(std::string_view text, size_t max_length) {
  return !text.empty() && text.size() <= max_length &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

int64_t limit_of(const RouteCall& call) {
  auto text = call.query("limit");
  if (!text) return kDefaultLimit;
  int64_t limit = all_digits(*text, 9) ? std::stoll(*text) : 0;
  if (limit < 1 || limit > kMaxLimit)
    throw ApiError(400, "invalid_limit", "limit must be between 1 and 1000");
  return limit;
}

engine::RunCursor decode_cursor(const std::string& text) {
  ApiError bad(400, "invalid_cursor", "cursor is not one this server handed out");
  std::string decoded;
  try {
    decoded = stdlib::crypto::base64url_decode(text);
  } catch (const std::exception&) {
    throw bad;
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos || colon + 1 == decoded.size() ||
      !all_digits(std::string_view(decoded).substr(0, colon), 18))
    throw bad;
  return {std::stoll(decoded.substr(0, colon)), decoded.substr(colon + 1)};
}

// The digits of text[at, at + count) as a number, or -1.
int number_at(const std::string& text, size_t at, size_t count) {
  if (at + count > text.size()) return -1;
  std::string_view digits = std::string_view(text).substr(at, count);
  return all_digits(digits, count) ? std::stoi(std::string(digits)) : -1;
}

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), RFC 3339 section 5.6.
std::optional<int64_t> parse_rfc3339(const std::string& text) {
  using namespace std::chrono;
  auto at = [&](size_t i) { return i < text.size() ? text[i] : '\0'; };
  int y = number_at(text, 0, 4), mo = number_at(text, 5, 2), d = number_at(text, 8, 2);
  int h = number_at(text, 11, 2), mi = number_at(text, 14, 2), s = number_at(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || at(4) != '-' || at(7) != '-' ||
      (at(10) != 'T' && at(10) != 't') || at(13) != ':' || at(16) != ':')
    return std::nullopt;
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  size_t i = 19;
  int64_t ms = 0;
  if (at(i) == '.') {
    size_t start = ++i;
    while (at(i) >= '0' && at(i) <= '9') ++i;
    if (i == start) return std::nullopt;
    std::string fraction = text.substr(start, std::min<size_t>(i - start, 3));
    while (fraction.size() < 3) fraction += '0';
    ms = std::stoi(fraction);
  }
  int64_t offset_minutes = 0;
  if (at(i) == 'Z' || at(i) == 'z') {
    ++i;
  } else if (at(i) == '+' || at(i) == '-') {
    int oh = number_at(text, i + 1, 2), om = number_at(text, i + 4, 2);
    if (oh < 0 || om < 0 || at(i + 3) != ':' || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (at(i) == '+' ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  int64_t days = sys_days(date).time_since_epoch().count();
  int64_t seconds = days * 86'400 + h * 3'600 + mi * 60 + std::min(s, 59);
  return (seconds - offset_minutes * 60) * 1000 + ms;
}

}  // namespace

std::string encode_cursor(const engine::Run& run) {
  return stdlib::crypto::base64url_encode(std::to_string(run.created_at) + ":" + run.id);
}

int64_t parse_since(const std::string& text) {
  if (all_digits(text, 15)) return std::stoll(text);
  if (auto ms = parse_rfc3339(text)) return *ms;
  throw ApiError(400, "invalid_since",
                 "since must be an RFC 3339 timestamp or unix milliseconds: " + text.substr(0, 64));
}

RunPage run_page(const RouteCall& call, engine::RunFilter filter) {
  int64_t limit = limit_of(call);
  if (auto cursor = call.query("cursor")) filter.after = decode_cursor(*cursor);
  if (!call.tenant.empty()) filter.tenant = call.tenant;
  filter.newest_first = true;
  filter.limit = limit + 1;  // one more tells whether another page follows
  RunPage page;
  page.runs = call.context.store.runs().list_runs(filter);
  if (static_cast<int64_t>(page.runs.size()) > limit) {
    page.runs.resize(static_cast<size_t>(limit));
    page.next_cursor = encode_cursor(page.runs.back());
  }
  return page;
}

}  // namespace weft::api
