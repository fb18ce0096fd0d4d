// Run statuses and the JSON form of a run.
#include "engine/run.hpp"

#include <array>
#include <utility>

namespace weft::engine {
namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 8> kStatuses{{
    {RunStatus::Pending, "pending"},
    {RunStatus::Running, "running"},
    {RunStatus::Sleeping, "sleeping"},
    {RunStatus::Waiting, "waiting"},
    {RunStatus::Completed, "completed"},
    {RunStatus::Failed, "failed"},
    {RunStatus::Compensated, "compensated"},
    {RunStatus::Cancelled, "cancelled"},
}};

}  // namespace

std::string_view to_string(RunStatus status) {
  for (const auto& [s, name] : kStatuses)
    if (s == status) return name;
  return "?";
}

std::optional<RunStatus> run_status_from(std::string_view text) {
  for (const auto& [s, name] : kStatuses)
    if (name == text) return s;
  return std::nullopt;
}

bool is_finished(RunStatus status) {
  return status == RunStatus::Completed || status == RunStatus::Failed ||
         status == RunStatus::Compensated || status == RunStatus::Cancelled;
}

nlohmann::json to_json(const Run& run) {
  nlohmann::json out = {{"id", run.id},
                        {"workflow", run.workflow},
                        {"script_hash", run.script_hash},
                        {"status", to_string(run.status)},
                        {"input", run.input},
                        {"created_at", run.created_at},
                        {"updated_at", run.updated_at}};
  if (!run.result.is_null() || run.status == RunStatus::Completed) out["result"] = run.result;
  if (!run.error.is_null()) out["error"] = run.error;
  if (!run.tenant.empty()) out["tenant"] = run.tenant;
  if (!run.idempotency_key.empty()) out["idempotency_key"] = run.idempotency_key;
  if (!run.parent_id.empty()) out["parent_id"] = run.parent_id;
  if (run.wake_at) out["wake_at"] = run.wake_at;
  if (run.deadline) out["deadline"] = run.deadline;
  if (run.crashes) out["crashes"] = run.crashes;
  if (!run.forked_from.empty())
    out["forked_from"] = {{"run", run.forked_from}, {"seq", run.forked_seq}};
  if (!run.imported_from.empty()) out["imported_from"] = run.imported_from;
  if (!run.started_by.empty()) out["started_by"] = run.started_by;
  if (!run.queue.empty()) out["queue"] = {{"name", run.queue}, {"priority", run.priority}};
  return out;
}

}  // namespace weft::engine
