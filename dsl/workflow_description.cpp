// Describing a loaded workflow (see workflow_description.hpp).
#include "dsl/workflow_description.hpp"

namespace weft::dsl {

nlohmann::json describe_workflow(const WorkflowSpec& spec) {
  nlohmann::json triggers = nlohmann::json::array();
  for (const auto& schedule : spec.schedules)
    triggers.push_back({{"type", "cron"},
                        {"expr", schedule.expr},
                        {"zone", schedule.zone},
                        {"overlap", schedule.overlap},
                        {"catch_up", schedule.catch_up}});
  for (const auto& webhook : spec.webhooks) triggers.push_back(engine::to_json(webhook));
  if (!spec.queue.name.empty() && spec.queue.key_path.empty()) triggers.push_back(engine::to_json(spec.queue));
  // The policies as declared (durations as written), only those given.
  nlohmann::json policies = nlohmann::json::object();
  for (const char* key : {"retry", "timeout", "budget", "limits", "secrets", "on_failure", "concurrency"})
    if (spec.declaration.contains(key)) policies[key] = spec.declaration[key];
  return {{"name", spec.name},
          {"kind", spec.graph.is_null() ? "lua" : "pipeline"},
          {"triggers", std::move(triggers)},
          {"policies", std::move(policies)},
          {"graph", spec.graph}};
}

}  // namespace weft::dsl
