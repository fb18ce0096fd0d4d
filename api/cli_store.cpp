// The database of a weft command (see cli_store.hpp).
#include "api/cli_store.hpp"

#include <filesystem>

#include "engine/store_open.hpp"
#include "engine/tenant.hpp"

namespace weft::api {

std::unique_ptr<engine::Store> open_or_create_store(const CliArgs& args) {
  return engine::open_store(args.get_or("db", kDefaultDb));
}

std::unique_ptr<engine::Store> open_existing_store(const CliArgs& args) {
  std::string location = args.get_or("db", kDefaultDb);
  if (!std::filesystem::exists(location))
    throw UsageError("no database at " + location + " (name one with --db PATH)");
  return engine::open_store(location);
}

std::string tenant_option(const CliArgs& args) {
  auto tenant = args.get("tenant");
  if (!tenant) return engine::kSharedTenant;
  if (!engine::valid_tenant_name(*tenant))
    throw UsageError("--tenant: '" + *tenant + "' is not a tenant name (1-64 letters, digits, '-', '_', '.')");
  return *tenant;
}

}  // namespace weft::api
