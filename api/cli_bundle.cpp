// weft export and weft import: a run as a repro bundle file, and a bundle
// loaded into another database as a new run that nothing executes.
#include "api/cli_bundle.hpp"

#include <fstream>
#include <iostream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "engine/clock.hpp"
#include "engine/json_limits.hpp"

namespace weft::api {

engine::RunBundle read_bundle(const std::string& path) {
  nlohmann::json document = json_argument("bundle", "@" + path);
  try {
    return engine::bundle_from_json(document);
  } catch (const std::invalid_argument& e) {
    throw UsageError(path + ": " + e.what());
  }
}

engine::RunBundle recorded_run(const CliArgs& args, const char* usage) {
  if (auto bundle = args.get("bundle")) {
    if (!args.positionals().empty()) throw UsageError("give a RUN_ID or --bundle FILE, not both");
    return read_bundle(*bundle);
  }
  std::string run_id = args.positional(0, usage);
  auto store_owner = open_existing_store(args);
  try {
    return engine::export_run(*store_owner, run_id);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

int cmd_export(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft export RUN_ID)");
  auto store_owner = open_existing_store(args);
  engine::RunBundle bundle;
  try {
    bundle = engine::export_run(*store_owner, run_id);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  std::string text = engine::dump_json(engine::to_json(bundle), 2) + "\n";
  auto output = args.get("output");
  if (!output) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(*output, std::ios::binary | std::ios::trunc);
  if (!(out << text)) throw UsageError("--output: cannot write " + *output);
  std::cerr << "wrote run " << run_id << " (" << bundle.history.size() << " events) to " << *output << "\n";
  return 0;
}

int cmd_import(const CliArgs& args) {
  std::string path = args.positional(0, "bundle file (weft import FILE)");
  engine::RunBundle bundle = read_bundle(path);
  auto store_owner = open_or_create_store(args);
  engine::Run run = engine::import_bundle(*store_owner, bundle, engine::SystemClock().now_ms());
  std::cout << run.id << std::endl;
  return 0;
}

}  // namespace weft::api
