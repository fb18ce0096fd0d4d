#include "dsl/failure_hook.hpp"

#include "engine/ids.hpp"
#include "engine/log.hpp"
#include "engine/redrive.hpp"
#include "engine/schedules.hpp"

namespace weft::dsl {

std::optional<engine::Run> failure_hook_run(const RunContext& rc, const engine::Run& ended,
                                            engine::Store& store) {
  using engine::RunStatus;
  const std::string& hook = rc.spec.on_failure;
  if (hook.empty() || (ended.status != RunStatus::Failed && ended.status != RunStatus::Compensated) ||
      ended.idempotency_key.rfind(kFailureHookKeyPrefix, 0) == 0)
    return std::nullopt;
  std::optional<ChildScript> script = rc.resolve_child ? rc.resolve_child(hook) : std::nullopt;
  if (!script) {
    log::error("on_failure names no loaded workflow: nothing was started",
               {{"run", ended.id}, {"workflow", ended.workflow}, {"on_failure", hook}});
    return std::nullopt;
  }
  auto history = store.runs().history(ended.id);
  int redrives = 0;
  for (const auto& event : history) redrives += event.status == engine::EventStatus::Redriven ? 1 : 0;
  nlohmann::json failed_step = nullptr;
  if (auto step = engine::failed_step(history))
    failed_step = {{"name", step->name}, {"seq", step->seq}, {"attempt", step->attempt}};

  engine::Run run;
  run.id = engine::new_time_ordered_uuid(ended.updated_at);
  run.workflow = hook;
  run.script_hash = script->hash;
  run.input = {{"run_id", ended.id},
               {"workflow", ended.workflow},
               {"status", std::string(engine::to_string(ended.status))},
               {"error", ended.error},
               {"failed_step", failed_step},
               {"input", ended.input},
               {"tenant", ended.tenant},
               {"finished_at", engine::iso_utc(ended.updated_at / 1000)}};
  run.status = RunStatus::Pending;
  run.created_at = run.updated_at = run.wake_at = ended.updated_at;
  run.tenant = ended.tenant;
  run.idempotency_key = std::string(kFailureHookKeyPrefix) + ended.id + ":" + std::to_string(redrives);
  run.root_id = run.id;
  run.queue = engine::queue_for(script->queue, run.input);
  if (script->timeout_ms) run.deadline = run.created_at + script->timeout_ms;
  return run;
}

}  // namespace weft::dsl
