// Structured logs (see log.hpp).
#include "engine/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "engine/clock.hpp"

namespace weft::log {
namespace {

Format default_format() { return ::isatty(STDERR_FILENO) ? Format::Text : Format::Json; }

std::atomic<int> g_level{static_cast<int>(Level::Warn)};
std::atomic<Format> g_format{default_format()};

std::string utc_millis(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return text;
}

// A text-format value: strings bare unless they hold spaces, quotes or '='.
std::string text_value(const nlohmann::json& value) {
  if (!value.is_string()) return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto& s = value.get_ref<const std::string&>();
  if (!s.empty() && s.find_first_of(" \"=\n\t") == std::string::npos) return s;
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::optional<Level> level_from(std::string_view name) {
  if (name == "debug") return Level::Debug;
  if (name == "info") return Level::Info;
  if (name == "warn" || name == "warning") return Level::Warn;
  if (name == "error") return Level::Error;
  return std::nullopt;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "?";
}

std::optional<Format> format_from(std::string_view name) {
  if (name == "json") return Format::Json;
  if (name == "text") return Format::Text;
  if (name == "auto") return default_format();
  return std::nullopt;
}

void configure(Level level, Format format) {
  g_level = static_cast<int>(level);
  g_format = format;
}

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

std::string describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

std::string format_record(Format format, int64_t unix_ms, Level level, std::string_view message,
                          const nlohmann::json& fields) {
  if (format == Format::Json) {
    nlohmann::ordered_json record;
    record["ts"] = utc_millis(unix_ms);
    record["level"] = to_string(level);
    record["msg"] = message;
    if (fields.is_object())
      for (const auto& [key, value] : fields.items()) record[key] = value;
    return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = utc_millis(unix_ms) + " ";
  std::string upper(to_string(level));
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  line += upper + " " + std::string(message);
  if (fields.is_object())
    for (const auto& [key, value] : fields.items()) line += " " + key + "=" + text_value(value);
  return line;
}

void write(Level level, std::string_view message, const nlohmann::json& fields) {
  int64_t now = engine::SystemClock().now_ms();
  std::string line = format_record(g_format.load(), now, level, message, fields) + "\n";
  ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  (void)written;  // a log line that cannot be written changes nothing else
}

}  // namespace weft::log
