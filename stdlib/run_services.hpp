// What the standard library lends each worker's runs: an HTTP transport
// on the worker's loop, the secret keys, and the reading of the secrets a
// workflow declares (for redaction). The executors every program gives
// the engine (EngineOptions::executors), and weft serve's SMTP client.
#pragma once
#include <functional>

#include <boost/asio/io_context.hpp>

#include "dsl/lua_workflow_catalog.hpp"
#include "dsl/run_executor.hpp"
#include "engine/executor.hpp"
#include "engine/secret_store.hpp"
#include "stdlib/email_transport.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::stdlib {

// Services a caller lends each worker before the standard ones are put:
// weft test's HTTP, email and step mocks, weft serve's SMTP client. A service it puts is not replaced (an
// HttpTransport it lends is the one weft.http uses).
using LendServices = std::function<void(boost::asio::io_context& io, dsl::RunServices& lent)>;

// `secret_keys` null: weft.secrets is unavailable to the runs.
engine::ExecutorFactory lua_executors(dsl::LuaWorkflowCatalog& catalog, const SecretKeys* secret_keys,
                                      LendServices lend_first = {});

// An SMTP client per worker for weft.email, sending through `settings`
// (none when its url is empty) with the password read from the secret
// `settings.password_secret` at each send. `secrets` and `keys` outlive
// the engine.
LendServices smtp_services(EmailSettings settings, engine::SecretStore& secrets, const SecretKeys& keys);

}  // namespace weft::stdlib
