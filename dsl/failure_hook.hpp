// on_failure = "workflow": the run a failed (or compensated) run's hook
// starts, made in the same commit that ends the run, so it starts exactly
// once. Its idempotency key is "on_failure:<run id>:<redrives>": a run
// redriven and failing again notifies again, under a new key.
#pragma once
#include <cstdint>
#include <optional>

#include "dsl/run_context.hpp"
#include "engine/run.hpp"
#include "engine/store.hpp"

namespace weft::dsl {

constexpr const char* kFailureHookKeyPrefix = "on_failure:";

// The hook's run for `ended` (its final record), with input { run_id,
// workflow, status, error, failed_step, input, tenant, finished_at };
// nullopt when the workflow declares no hook, the run ended otherwise, the
// run was itself started by a hook (no chains of hooks), or the hook's
// workflow is not loaded (logged as an error).
std::optional<engine::Run> failure_hook_run(const RunContext& rc, const engine::Run& ended,
                                            engine::Store& store);

}  // namespace weft::dsl
