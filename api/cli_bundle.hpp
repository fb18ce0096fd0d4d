// Reading repro bundle files (engine/run_bundle.hpp) for the commands
// that take --bundle FILE.
#pragma once
#include <string>

#include "api/cli_args.hpp"
#include "engine/run_bundle.hpp"

namespace weft::api {

// Throws UsageError for an unreadable file, text that is not JSON or a
// bundle that does not check out.
engine::RunBundle read_bundle(const std::string& path);

// The run a command works on, with its history and version: RUN_ID from
// the database, or with --bundle FILE from a repro bundle (no database).
engine::RunBundle recorded_run(const CliArgs& args, const char* usage);

}  // namespace weft::api
