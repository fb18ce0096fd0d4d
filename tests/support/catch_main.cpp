// Catch2's main for the test programs. Many tests make runs fail on
// purpose; their warn-level log records would bury Catch's own report, so
// records below error are dropped unless WEFT_LOG_LEVEL asks for them
// (WEFT_LOG_LEVEL=debug shows everything while chasing a failure).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "engine/log.hpp"
#include "stdlib/native_modules.hpp"

int main(int argc, char** argv) {
  const char* asked = std::getenv("WEFT_LOG_LEVEL");
  auto level = asked ? weft::log::level_from(asked) : std::nullopt;
  weft::stdlib::register_native_modules();
  weft::log::configure(level.value_or(weft::log::Level::Error), weft::log::Format::Json);
  return Catch::Session().run(argc, argv);
}
