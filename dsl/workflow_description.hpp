// What `weft show` and GET /v1/workflows/{name} tell of a workflow, as
// JSON: its triggers, its policies and, for a pipeline, its graph. One
// description, rendered by the CLI as text, Mermaid or DOT.
#pragma once
#include <nlohmann/json.hpp>

#include "dsl/workflow_spec.hpp"

namespace weft::dsl {

// {"name", "kind": "pipeline"|"lua", "triggers": [...], "policies": {...},
//  "graph": {"nodes", "edges"} or null}.
nlohmann::json describe_workflow(const WorkflowSpec& spec);

}  // namespace weft::dsl
