// ctx:child(workflow, input): starts another workflow of the same folder as
// a child run and returns its result (or raises its error). The child is
// created in the same commit that parks the parent; the child's end
// completes the parent's event and wakes it (run_executor.cpp).
#include <algorithm>

#include "dsl/ctx.hpp"
#include "dsl/ctx_names.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

int child_body(lua_State* L) {
  RunContext& rc = durable_caller(L, "child");
  if (lua_type(L, 2) != LUA_TSTRING) throw ArgError(2, "workflow name (string) expected");
  std::string workflow = name_arg(L, 2, "workflow name");
  nlohmann::json input = lua_isnoneornil(L, 3) ? nlohmann::json::object()
                                               : lua_to_json(L, 3, "child input");
  if (must_stop(L, rc)) return kRaise;
  if (++rc.children > rc.spec.children_limit)
    throw std::runtime_error("ctx:child: children limit reached (" +
                             std::to_string(rc.spec.children_limit) + " per run; budget.children)");
  Decision d = next_call(L, rc, EventKind::Child, workflow);
  switch (d.action) {
    case Decision::Action::Mismatch:
      return raise_mismatch(L, rc, d);
    case Decision::Action::Replay:
      return push_recorded_outcome(L, *d.recorded);
    case Decision::Action::Park:
      request_park(rc, engine::RunStatus::Waiting, 0);
      return kYield;
    default:
      break;
  }
  // A child's id is its parent's plus ".seq": the dots below the root count its depth.
  auto below_root = rc.run.id.begin() + static_cast<std::ptrdiff_t>(
                                            std::min(rc.run.root_id.size(), rc.run.id.size()));
  if (std::count(below_root, rc.run.id.end(), '.') >= rc.spec.child_depth_limit)
    throw std::runtime_error("ctx:child: child depth limit reached (" +
                             std::to_string(rc.spec.child_depth_limit) +
                             " nested runs; budget.child_depth)");
  std::optional<ChildScript> script = rc.resolve_child ? rc.resolve_child(workflow) : std::nullopt;
  if (!script) throw std::runtime_error("ctx:child: no workflow named '" + workflow + "' is loaded");
  engine::Run child;
  child.id = rc.run.id + "." + std::to_string(d.seq);
  child.workflow = workflow;
  child.script_hash = script->hash;
  child.input = std::move(input);
  child.status = engine::RunStatus::Pending;
  child.created_at = child.updated_at = child.wake_at = rc.now();
  child.tenant = rc.run.tenant;
  child.parent_id = rc.run.id;
  child.parent_seq = d.seq;
  child.root_id = rc.run.root_id;
  child.queue = engine::queue_for(script->queue, child.input);
  if (script->timeout_ms) child.deadline = child.created_at + script->timeout_ms;
  rc.buffered.push_back(engine::InsertRun{std::move(child)});
  engine::HistoryEvent event = new_event(rc, d, EventKind::Child, workflow);
  event.status = EventStatus::Pending;
  buffer_event(rc, std::move(event));
  request_park(rc, engine::RunStatus::Waiting, 0);
  return kYield;
}

}  // namespace

int ctx_child(lua_State* L) { return finish_call(L, guarded(L, child_body), nullptr); }

}  // namespace weft::dsl
