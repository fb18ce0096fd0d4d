// What the standard library lends each worker's runs: an HTTP client on
// the worker's loop, the secret keys, and the reading of the secrets a
// workflow declares (for redaction). The executors every program gives
// the engine (EngineOptions::executors).
#pragma once
#include "engine/executor.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::stdlib {

// `secret_keys` null: weft.secrets is unavailable to the runs.
engine::ExecutorFactory lua_executors(dsl::LuaWorkflowCatalog& catalog, const SecretKeys* secret_keys);

}  // namespace weft::stdlib
