// What the standard library lends each worker's runs: an HTTP transport
// on the worker's loop, the secret keys, and the reading of the secrets a
// workflow declares (for redaction). The executors every program gives
// the engine (EngineOptions::executors).
#pragma once
#include <functional>

#include <boost/asio/io_context.hpp>

#include "dsl/lua_workflow_catalog.hpp"
#include "dsl/run_executor.hpp"
#include "engine/executor.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::stdlib {

// Services a caller lends each worker before the standard ones are put:
// weft test's HTTP and step mocks. A service it puts is not replaced (an
// HttpTransport it lends is the one weft.http uses).
using LendServices = std::function<void(boost::asio::io_context& io, dsl::RunServices& lent)>;

// `secret_keys` null: weft.secrets is unavailable to the runs.
engine::ExecutorFactory lua_executors(dsl::LuaWorkflowCatalog& catalog, const SecretKeys* secret_keys,
                                      LendServices lend_first = {});

}  // namespace weft::stdlib
