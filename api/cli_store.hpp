// The database a weft command works on: --db PATH, else ./weft.db.
#pragma once
#include <memory>

#include "api/cli_args.hpp"
#include "engine/store.hpp"

namespace weft::api {

// For commands that add runs or secrets (run, start, secrets set): a
// database that is not there yet is created.
std::unique_ptr<engine::Store> open_or_create_store(const CliArgs& args);

// For commands that read or act on what is already stored (runs, history,
// event, cancel, retry, resume, secrets list/delete/rotate-key): a path with no database throws a
// UsageError naming it, rather than creating an empty database there and
// answering as if it held no runs (which a mistyped --db would otherwise
// get).
std::unique_ptr<engine::Store> open_existing_store(const CliArgs& args);

// --tenant NAME of `weft secrets` and `weft blob`: the namespace acted on
// (engine/tenant.hpp); none: the shared one. A name that is not a tenant
// name throws a UsageError.
std::string tenant_option(const CliArgs& args);

}  // namespace weft::api
