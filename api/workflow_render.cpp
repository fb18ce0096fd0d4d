// Drawing workflow descriptions (see workflow_render.hpp).
#include "api/workflow_render.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/json_limits.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

const json& graph_of(const json& description) {
  const json& graph = description.at("graph");
  if (graph.is_null())
    throw std::invalid_argument("workflow '" + description.value("name", "") +
                                "' has a Lua body: only pipelines have a graph (use --format text)");
  return graph;
}

// Nesting depth of a node id: "3" is 0, "3.1" is 1.
size_t depth_of(const std::string& id) {
  return static_cast<size_t>(std::count(id.begin(), id.end(), '.'));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The details of an entry besides its label: "fn leads.refine, retry {...}".
std::string details(const json& node) {
  std::string out;
  auto add = [&out](const std::string& text) { out += (out.empty() ? "" : ", ") + text; };
  if (node.contains("fn")) add("fn " + node["fn"].get<std::string>());
  if (node.contains("input")) add("input " + node["input"].get<std::string>());
  if (node.contains("as")) add("as " + node["as"].get<std::string>());
  if (node.contains("retry")) add("retry " + engine::dump_json(node["retry"]));
  if (node.contains("undo")) add("undo " + node["undo"].get<std::string>());
  if (node.contains("undo_retry")) add("undo_retry " + engine::dump_json(node["undo_retry"]));
  return out;
}

std::string trigger_text(const json& trigger) {
  if (trigger.value("type", "") == "cron")
    return "cron \"" + trigger.value("expr", "") + "\" " + trigger.value("zone", "");
  std::string text = "webhook " + trigger.value("path", "");
  const json& verify = trigger["verify"];
  text += verify.is_string() ? " (verify " + verify.get<std::string>() + ")" : " (unsigned)";
  if (trigger.contains("dedup")) text += " dedup " + trigger["dedup"].get<std::string>();
  return text;
}

std::string mermaid_id(const std::string& id) { return "n_" + replaced(id, ".", "_"); }

std::string dot_quoted(const std::string& text) {
  return "\"" + replaced(replaced(text, "\\", "\\\\"), "\"", "\\\"") + "\"";
}

}  // namespace

std::string render_text(const json& description) {
  bool pipeline = description.value("kind", "") == "pipeline";
  std::string out = (pipeline ? "pipeline " : "workflow ") + description.value("name", "") +
                    (pipeline ? "" : " (Lua body)") + "\n";
  out += "version: " + description.value("version", "") + "\n";
  out += "triggers:";
  if (description["triggers"].empty()) out += " none (started by the API, the CLI or ctx:child)";
  out += "\n";
  for (const auto& trigger : description["triggers"]) out += "  " + trigger_text(trigger) + "\n";
  out += "policies:";
  if (description["policies"].empty()) out += " defaults";
  out += "\n";
  for (const auto& [key, value] : description["policies"].items())
    out += "  " + key + ": " + engine::dump_json(value) + "\n";
  if (!pipeline) return out;
  out += "steps:\n";
  for (const auto& node : description["graph"]["nodes"]) {
    std::string id = node["id"];
    if (id == "start") continue;
    if (id == "end") {
      if (node.contains("result")) out += "  result: " + node["result"].get<std::string>() + "\n";
      continue;
    }
    std::string more = details(node);
    out += std::string(2 + 2 * depth_of(id), ' ') + id + ". " + node["label"].get<std::string>() +
           (more.empty() ? "" : "  [" + more + "]") + "\n";
  }
  return out;
}

std::string render_mermaid(const json& description) {
  const json& graph = graph_of(description);
  std::string out = "flowchart TD\n";
  for (const auto& node : graph["nodes"]) {
    std::string kind = node["kind"];
    std::string label = "\"" + replaced(node["label"].get<std::string>(), "\"", "#quot;") + "\"";
    std::string shape = kind == "when"                    ? "{" + label + "}"
                        : kind == "start" || kind == "end" ? "([" + label + "])"
                                                          : "[" + label + "]";
    out += "  " + mermaid_id(node["id"]) + shape + "\n";
  }
  for (const auto& edge : graph["edges"]) {
    std::string arrow = edge.contains("label") ? " -->|" + edge["label"].get<std::string>() + "| "
                                               : " --> ";
    out += "  " + mermaid_id(edge["from"]) + arrow + mermaid_id(edge["to"]) + "\n";
  }
  return out;
}

std::string render_dot(const json& description) {
  const json& graph = graph_of(description);
  std::string out = "digraph " + dot_quoted(description.value("name", "")) + " {\n  rankdir=TB;\n";
  for (const auto& node : graph["nodes"]) {
    std::string kind = node["kind"];
    std::string shape = kind == "when" ? "diamond" : kind == "start" || kind == "end" ? "oval" : "box";
    out += "  " + dot_quoted(node["id"]) + " [label=" + dot_quoted(node["label"]) +
           ", shape=" + shape + "];\n";
  }
  for (const auto& edge : graph["edges"]) {
    out += "  " + dot_quoted(edge["from"]) + " -> " + dot_quoted(edge["to"]);
    if (edge.contains("label")) out += " [label=" + dot_quoted(edge["label"]) + "]";
    out += ";\n";
  }
  return out + "}\n";
}

}  // namespace weft::api
