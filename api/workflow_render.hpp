// A workflow's description (dsl/workflow_description.hpp) drawn for
// people: as text, or a pipeline's graph as Mermaid or Graphviz DOT.
// `weft show` prints these; the API serves the description as JSON.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace weft::api {

// Name, kind, version, triggers, policies and, for a pipeline, its entries
// indented by nesting.
std::string render_text(const nlohmann::json& description);

// A pipeline's graph ("flowchart TD"); throws std::invalid_argument for a
// workflow with a Lua body (it has no graph).
std::string render_mermaid(const nlohmann::json& description);

// A pipeline's graph as a DOT digraph; throws like render_mermaid.
std::string render_dot(const nlohmann::json& description);

}  // namespace weft::api
