// weft run, weft start, weft resume: executing workflows in this process.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "engine/engine.hpp"
#include "engine/json_limits.hpp"
#include "stdlib/run_services.hpp"

namespace weft::api {
namespace {

using nlohmann::json;
using engine::Run;
using engine::RunStatus;


nlohmann::json parse_input(const CliArgs& args) {
  auto given = args.get("input");
  if (!given) return json::object();
  return json_argument("input", *given);
}

std::string folder_of(const std::string& file) {
  auto parent = std::filesystem::path(file).parent_path();
  return parent.empty() ? "." : parent.string();
}

// Registers the file's folder (for ctx:child and require) and the file;
// problems of other files are only warnings.
engine::ScriptInfo load_workflow_file(dsl::LuaWorkflowCatalog& catalog, const std::string& file) {
  for (const auto& problem : catalog.add_folder())
    if (problem.rfind(file, 0) != 0) std::fprintf(stderr, "weft: warning: %s\n", problem.c_str());
  return catalog.add_file(file);
}

// Prints the outcome of an ended run; returns the exit code.
int report(const Run& run) {
  if (run.status == RunStatus::Completed) {
    std::cout << engine::dump_json(run.result) << std::endl;
    return 0;
  }
  std::string kind = run.error.value("kind", "error");
  std::string message = run.error.value("message", "");
  std::fprintf(stderr, "run %s %s: %s: %s\n", run.id.c_str(),
               std::string(engine::to_string(run.status)).c_str(), kind.c_str(), message.c_str());
  if (run.error.contains("traceback") && run.error["traceback"].is_string())
    std::fprintf(stderr, "%s\n", run.error["traceback"].get<std::string>().c_str());
  return 1;
}

int wait_and_report(engine::Engine& engine, const std::string& id) {
  for (;;) {
    auto run = engine.wait_finished(id, std::chrono::seconds(1));
    if (!run) throw std::runtime_error("run " + id + " disappeared from the store");
    if (engine::is_finished(run->status)) return report(*run);
  }
}

}  // namespace

int cmd_run(const CliArgs& args) {
  std::string file = args.positional(0, "workflow file (weft run FILE.lua)");
  json input = parse_input(args);
  std::string id = args.get_or("id", "");
  auto store_owner = open_or_create_store(args);
  engine::Store& store = *store_owner;
  if (!id.empty()) {
    auto existing = store.runs().get_run(id);
    if (existing && engine::is_finished(existing->status)) return report(*existing);
  }
  dsl::LuaWorkflowCatalog catalog(store.scripts(), folder_of(file));
  engine::ScriptInfo script = load_workflow_file(catalog, file);  // throws: exit 2
  engine::SystemClock clock;
  engine::EngineOptions options;
  options.workers = std::stoi(args.get_or("workers", "0"));  // 0: one per core
  stdlib::SecretKeys keys(key_file_for(args));
  options.executors = stdlib::lua_executors(catalog, &keys);
  bool resuming = !id.empty() && store.runs().get_run(id).has_value();
  if (resuming) options.root_id = id;  // this process drives that run tree only
  engine::Engine engine(store, catalog, clock, options);
  if (!resuming) {
    engine::StartOptions start;
    start.id = id;
    id = engine.start_run(script.workflow, std::move(input), start).id;
  }
  return wait_and_report(engine, id);
}

int cmd_start(const CliArgs& args) {
  std::string file = args.positional(0, "workflow file (weft start FILE.lua)");
  json input = parse_input(args);
  auto store_owner = open_or_create_store(args);
  engine::Store& store = *store_owner;
  dsl::LuaWorkflowCatalog catalog(store.scripts(), folder_of(file));
  engine::ScriptInfo script = load_workflow_file(catalog, file);  // throws: exit 2
  engine::SystemClock clock;
  engine::EngineOptions options;
  options.workers = 1;
  options.background = false;
  options.executors = stdlib::lua_executors(catalog, nullptr);  // enqueues only
  engine::Engine engine(store, catalog, clock, options);
  engine::StartOptions start;
  start.id = args.get_or("id", "");
  std::cout << engine.enqueue_run(script.workflow, std::move(input), start).id << std::endl;
  return 0;
}

int cmd_resume(const CliArgs& args) {
  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  dsl::LuaWorkflowCatalog catalog(store.scripts(), args.get_or("workflows", ""));
  for (const auto& problem : catalog.add_folder())
    std::fprintf(stderr, "weft: warning: %s\n", problem.c_str());
  engine::SystemClock clock;
  engine::EngineOptions options;
  if (auto workers = args.get("workers")) options.workers = std::stoi(*workers);
  stdlib::SecretKeys keys(key_file_for(args));
  options.executors = stdlib::lua_executors(catalog, &keys);
  engine::Engine engine(store, catalog, clock, options);
  while (engine.has_runnable_work()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  engine::RunFilter waiting;
  waiting.unfinished_only = true;
  size_t left = store.runs().list_runs(waiting).size();
  if (left) std::fprintf(stderr, "weft: %zu run(s) left waiting for events\n", left);
  return 0;
}

}  // namespace weft::api
