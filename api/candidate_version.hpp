// The script version a command replays, forks or redrives a run on: the
// run's own (default), a file given with --script FILE, or with --latest
// the workflow's current file in --workflows DIR (default: the folder the
// run's version was loaded from).
#pragma once
#include "api/cli_args.hpp"
#include "engine/run.hpp"
#include "engine/script_store.hpp"

namespace weft::api {

// `recorded` is the run's own version. Throws UsageError when both
// options are given, the file does not declare the run's workflow, or
// the folder has no such workflow; std::runtime_error when the code does
// not load.
engine::ScriptVersion candidate_version(const CliArgs& args, const engine::Run& run,
                                        const engine::ScriptVersion& recorded);

// The run's own version; throws std::runtime_error if it is not stored.
engine::ScriptVersion recorded_version(const engine::Run& run, engine::ScriptStore& scripts);

}  // namespace weft::api
