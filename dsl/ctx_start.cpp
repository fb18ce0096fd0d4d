// ctx:start(workflow, input, { key, delay, priority }): starts another run
// of the same folder without waiting for it and returns its id. The new
// run is its own tree (it outlives a cancelled starter) and names its
// starter in `started_by`. The start is written in one commit with its
// history event before the call returns, so the id handed back always
// names a durable run; replay returns the recorded id and starts nothing.
// With `key`, a run of that workflow and tenant already started with the
// key is returned instead (the store decides, race-free: run_store.hpp).
#include "dsl/ctx.hpp"
#include "dsl/ctx_names.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_duration.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/ids.hpp"

namespace weft::dsl {
namespace {

using engine::Decision;
using engine::EventKind;
using engine::EventStatus;

constexpr size_t kMaxKeyBytes = 256;

struct StartOptions {
  std::string key;
  int64_t delay_ms = 0;
  int64_t priority = 0;
};

StartOptions read_options(lua_State* L, int index) {
  StartOptions options;
  if (lua_isnoneornil(L, index)) return options;
  if (!lua_istable(L, index)) throw ArgError(index, "options table expected");
  if (lua_getfield(L, index, "key") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING) throw ArgError(index, "key must be a string");
    size_t length = 0;
    const char* key = lua_tolstring(L, -1, &length);
    if (length == 0 || length > kMaxKeyBytes) throw ArgError(index, "key must be 1-256 bytes");
    options.key.assign(key, length);
  }
  lua_pop(L, 1);
  if (lua_getfield(L, index, "delay") != LUA_TNIL) {
    auto delay = to_duration_ms(L, -1);
    if (!delay) throw ArgError(index, "delay must be a duration (seconds, or a string like \"5m\")");
    options.delay_ms = *delay;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, index, "priority") != LUA_TNIL) {
    if (!lua_isinteger(L, -1)) throw ArgError(index, "priority must be an integer");
    options.priority = lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return options;
}

// After the commit: the id on top of the stack, or with a key (below the
// id) the run the key names, which is the one the store recorded.
int started(lua_State* L) {
  RunContext& rc = *run_link(L)->run;
  if (lua_isnil(L, -2)) return 1;
  std::string key = lua_tostring(L, -2);
  std::string workflow = lua_tostring(L, 2);
  auto run = rc.runs ? rc.runs->find_run_by_idempotency(workflow, rc.run.tenant, key) : std::nullopt;
  if (!run) throw std::runtime_error("ctx:start: the run started with key '" + key + "' is gone");
  lua_pushstring(L, run->id.c_str());
  return 1;
}

int started_k(lua_State* L, int, lua_KContext) {
  return finish_call(L, guarded(L, started), nullptr);
}

int start_body(lua_State* L) {
  RunContext& rc = durable_caller(L, "start");
  if (lua_type(L, 2) != LUA_TSTRING) throw ArgError(2, "workflow name (string) expected");
  std::string workflow = name_arg(L, 2, "workflow name");
  nlohmann::json input = lua_isnoneornil(L, 3) ? nlohmann::json::object()
                                               : lua_to_json(L, 3, "started run's input");
  StartOptions options = read_options(L, 4);
  lua_settop(L, 4);
  if (must_stop(L, rc)) return kRaise;
  if (++rc.children > rc.spec.children_limit)
    throw std::runtime_error("ctx:start: runs limit reached (" + std::to_string(rc.spec.children_limit) +
                             " ctx:child and ctx:start calls per run; budget.children)");
  Decision d = next_call(L, rc, EventKind::Start, workflow);
  switch (d.action) {
    case Decision::Action::Mismatch:
      return raise_mismatch(L, rc, d);
    case Decision::Action::Replay:
      push_json(L, d.recorded->result.value("run_id", nlohmann::json(nullptr)));
      return 1;
    default:
      break;
  }
  std::optional<ChildScript> script = rc.resolve_child ? rc.resolve_child(workflow) : std::nullopt;
  if (!script) throw std::runtime_error("ctx:start: no workflow named '" + workflow + "' is loaded");
  engine::Run run;
  run.id = engine::new_time_ordered_uuid(rc.now());
  run.workflow = workflow;
  run.script_hash = script->hash;
  run.input = std::move(input);
  run.status = engine::RunStatus::Pending;
  run.created_at = run.updated_at = rc.now();
  run.wake_at = run.created_at + options.delay_ms;
  run.tenant = rc.run.tenant;
  run.idempotency_key = options.key;
  run.root_id = run.id;
  run.started_by = rc.run.id;
  run.queue = engine::queue_for(script->queue, run.input);
  run.priority = options.priority;
  if (script->timeout_ms) run.deadline = run.wake_at + script->timeout_ms;
  engine::HistoryEvent event = new_event(rc, d, EventKind::Start, workflow);
  event.status = EventStatus::Completed;
  event.ended_at = event.started_at;
  event.result = {{"run_id", run.id}};
  if (options.key.empty())
    lua_pushnil(L);
  else
    lua_pushlstring(L, options.key.data(), options.key.size());
  lua_pushstring(L, run.id.c_str());
  rc.buffered.push_back(engine::StartRun{std::move(run), std::move(event)});
  rc.op = PendingOp{};
  rc.op.kind = PendingOp::Kind::Commit;  // durable before the id is handed out
  return kYield;
}

}  // namespace

int ctx_start(lua_State* L) { return finish_call(L, guarded(L, start_body), started_k); }

}  // namespace weft::dsl
