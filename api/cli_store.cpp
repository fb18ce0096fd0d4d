// The database of a weft command (see cli_store.hpp).
#include "api/cli_store.hpp"

#include <filesystem>

#include "engine/store_open.hpp"

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

}  // namespace weft::api
