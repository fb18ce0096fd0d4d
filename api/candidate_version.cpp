// Choosing the code to replay a run on (see candidate_version.hpp).
#include "api/candidate_version.hpp"

#include <filesystem>

#include "dsl/lua_workflow_catalog.hpp"

namespace weft::api {

engine::ScriptVersion recorded_version(const engine::Run& run, engine::ScriptStore& scripts) {
  auto version = scripts.get_version(run.script_hash);
  if (!version)
    throw std::runtime_error("run " + run.id + ": its script version " + run.script_hash +
                             " is not in the database");
  return *version;
}

engine::ScriptVersion candidate_version(const CliArgs& args, const engine::Run& run,
                                        const engine::ScriptVersion& recorded) {
  auto script = args.get("script");
  bool latest = args.flag("latest");
  if (script && latest) throw UsageError("--script and --latest: give one of them");
  if (!script && !latest) return recorded;
  if (script) {
    // Modules the file requires are read beside it.
    std::string folder = std::filesystem::path(*script).parent_path().string();
    dsl::LuaWorkflowCatalog catalog(folder.empty() ? "." : folder);
    engine::ScriptInfo info = catalog.add_file(*script);
    if (info.workflow != run.workflow)
      throw UsageError(*script + " declares workflow '" + info.workflow + "'; run " + run.id +
                       " is a run of '" + run.workflow + "'");
    return catalog.version(info.hash);
  }
  std::string dir = args.get_or("workflows", recorded.folder);
  if (dir.empty()) throw UsageError("--latest: give the workflows folder with --workflows DIR");
  dsl::LuaWorkflowCatalog catalog(dir);
  auto problems = catalog.add_folder();
  auto info = catalog.by_name(run.workflow);
  if (!info) {
    std::string why = "--latest: no workflow '" + run.workflow + "' in " + dir;
    for (const auto& problem : problems) why += "\n  " + problem;
    throw std::runtime_error(why);
  }
  return catalog.version(info->hash);
}

}  // namespace weft::api
