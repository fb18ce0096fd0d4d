// Structured logs: one record a line on stderr, as a JSON object
// ({"ts","level","msg", fields...}) or, for a person at a terminal, as
// "TIME LEVEL msg key=value ...". Records carry the run id, workflow, step
// and attempt where they concern one, so a log search for a run id finds
// everything that happened to it.
//
// Design: records below the configured level cost one atomic load; each
// record is formatted whole and written with one write(2), so lines of
// concurrent threads never interleave.
#pragma once
#include <nlohmann/json.hpp>

#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace weft::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Json, Text };

std::optional<Level> level_from(std::string_view name);  // debug|info|warn|error
std::string_view to_string(Level level);

// Records at `level` and above are written (the default: warn and above,
// as JSON unless stderr is a terminal).
void configure(Level level, Format format);
// "json", "text", or "auto" (text on a terminal, JSON otherwise); nullopt if unknown.
std::optional<Format> format_from(std::string_view name);

bool enabled(Level level);
// Writes `message` with `fields` (a JSON object; other values are ignored).
void write(Level level, std::string_view message, const nlohmann::json& fields = nullptr);

// The fields are built by the caller before the level is checked: on a
// hot path, test enabled() first and call write().
inline void debug(std::string_view m, const nlohmann::json& f = nullptr) {
  if (enabled(Level::Debug)) write(Level::Debug, m, f);
}
inline void info(std::string_view m, const nlohmann::json& f = nullptr) {
  if (enabled(Level::Info)) write(Level::Info, m, f);
}
inline void warn(std::string_view m, const nlohmann::json& f = nullptr) {
  if (enabled(Level::Warn)) write(Level::Warn, m, f);
}
inline void error(std::string_view m, const nlohmann::json& f = nullptr) {
  if (enabled(Level::Error)) write(Level::Error, m, f);
}

// The message of a caught exception for a record's "error" field
// ("unknown error" for one that is not a std::exception).
std::string describe(std::exception_ptr error);

// One record as it is written, without the newline (exposed for tests).
std::string format_record(Format format, int64_t unix_ms, Level level, std::string_view message,
                          const nlohmann::json& fields);

}  // namespace weft::log
