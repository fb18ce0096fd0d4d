// A replay report (dsl/replayer.hpp) for people: the verdict, and at a
// divergence both calls with a few lines of source around each, taken
// from the version each side ran.
#pragma once
#include <string>

#include "dsl/replayer.hpp"
#include "engine/script_version.hpp"

namespace weft::api {

std::string render_replay(const dsl::ReplayReport& report, const engine::Run& run,
                          const engine::ScriptVersion& recorded,
                          const engine::ScriptVersion& current);

// The lines around `location` ("file:line") in `version`, the line itself
// marked; "" when the file is not in the version.
std::string source_excerpt(const engine::ScriptVersion& version, const std::string& location);

}  // namespace weft::api
