// Structured log records as an operator's tools read them: one JSON object
// a line with ts, level, msg and the fields, or a readable text line.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "engine/log.hpp"

using nlohmann::json;
namespace wlog = weft::log;

TEST_CASE("a JSON record carries time, level, message and fields", "[log]") {
  // 2026-12-01T19:20:00.123Z
  std::string line = wlog::format_record(wlog::Format::Json, 1796152800123, wlog::Level::Warn,
                                        "step retrying",
                                        {{"run", "r-1"}, {"step", "push"}, {"attempt", 2}});
  CHECK(line.find('\n') == std::string::npos);
  json record = json::parse(line);
  CHECK(record["ts"] == "2026-12-01T19:20:00.123Z");
  CHECK(record["level"] == "warn");
  CHECK(record["msg"] == "step retrying");
  CHECK(record["run"] == "r-1");
  CHECK(record["step"] == "push");
  CHECK(record["attempt"] == 2);
}

TEST_CASE("a text record quotes values with spaces and escapes newlines", "[log]") {
  std::string line = wlog::format_record(wlog::Format::Text, 1796152800005, wlog::Level::Info, "run ended",
                                        {{"run", "r-1"}, {"error", "boom\nbang"}, {"status", "failed"}});
  CHECK(line == "2026-12-01T19:20:00.005Z INFO run ended error=\"boom\\nbang\" run=r-1 status=failed");
}

TEST_CASE("invalid UTF-8 in a field never breaks the record", "[log]") {
  std::string line = wlog::format_record(wlog::Format::Json, 0, wlog::Level::Error, "bad",
                                        {{"body", std::string("\xff\xfe", 2)}});
  CHECK_NOTHROW(json::parse(line));
}

TEST_CASE("levels and formats are named, and records below the level are dropped", "[log]") {
  CHECK(wlog::level_from("debug") == wlog::Level::Debug);
  CHECK(wlog::level_from("warning") == wlog::Level::Warn);
  CHECK_FALSE(wlog::level_from("loud"));
  CHECK(wlog::format_from("json") == wlog::Format::Json);
  CHECK(wlog::format_from("auto").has_value());
  CHECK_FALSE(wlog::format_from("xml"));
  wlog::configure(wlog::Level::Error, wlog::Format::Json);
  CHECK_FALSE(wlog::enabled(wlog::Level::Warn));
  CHECK(wlog::enabled(wlog::Level::Error));
  wlog::configure(wlog::Level::Debug, wlog::Format::Json);
  CHECK(wlog::enabled(wlog::Level::Debug));
  wlog::configure(wlog::Level::Error, wlog::Format::Json);  // the test programs' default (catch_main.cpp)
}

TEST_CASE("describe gives a caught exception's message for a record", "[log]") {
  auto caught = [](auto&& thrower) {
    try {
      thrower();
    } catch (...) {
      return std::current_exception();
    }
    return std::exception_ptr();
  };
  CHECK(wlog::describe(caught([] { throw std::runtime_error("disk I/O error"); })) ==
        "disk I/O error");
  CHECK(wlog::describe(caught([] { throw 42; })) == "unknown error");
}
