// Reading repro bundle files (engine/run_bundle.hpp) for the commands
// that take --bundle FILE.
#pragma once
#include <string>

#include "engine/run_bundle.hpp"

namespace weft::api {

// Throws UsageError for an unreadable file, text that is not JSON or a
// bundle that does not check out.
engine::RunBundle read_bundle(const std::string& path);

}  // namespace weft::api
