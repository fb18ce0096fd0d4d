// weft show: a workflow of a folder as its declaration says — triggers,
// policies and, for a pipeline, its graph (text, Mermaid or DOT). Reads
// the folder only: no database.
#include <cstdio>
#include <iostream>

#include "api/cli_args.hpp"
#include "api/commands.hpp"
#include "api/workflow_render.hpp"
#include "dsl/lua_workflow_catalog.hpp"

namespace weft::api {

int cmd_show(const CliArgs& args) {
  std::string name = args.positional(0, "workflow name (weft show WORKFLOW)");
  std::string format = args.get_or("format", "text");
  if (format != "text" && format != "mermaid" && format != "dot")
    throw UsageError("--format: expected text, mermaid or dot, not '" + format + "'");
  std::string dir = args.get_or("workflows", ".");
  dsl::LuaWorkflowCatalog catalog(dir);
  auto problems = catalog.add_folder();
  auto description = catalog.describe(name);
  for (const auto& problem : problems)
    std::fprintf(stderr, "weft: %s: %s\n", description ? "warning" : "error", problem.c_str());
  if (!description) {
    std::fprintf(stderr, "weft show: no workflow named '%s' in %s\n", name.c_str(), dir.c_str());
    return problems.empty() ? 1 : 2;
  }
  try {
    std::cout << (format == "mermaid" ? render_mermaid(*description)
                  : format == "dot"   ? render_dot(*description)
                                      : render_text(*description));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return 0;
}

}  // namespace weft::api
