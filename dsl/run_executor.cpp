// The run executor (see run_executor.hpp).
#include "dsl/run_executor.hpp"

#include <boost/asio/steady_timer.hpp>

#include "dsl/ctx.hpp"
#include "dsl/environment.hpp"
#include "dsl/failure_hook.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/run_entry.hpp"
#include "dsl/thread_link.hpp"
#include "dsl/version_modules.hpp"
#include "engine/fault_injection.hpp"
#include "engine/log.hpp"
#include "engine/run_observer.hpp"

namespace weft::dsl {
namespace {

using namespace weft::engine;

using nlohmann::json;
json error_json(const std::string& kind, const std::string& message) {
  return {{"kind", kind}, {"message", message}, {"retryable", false}};
}

}  // namespace

RunExecutor::RunExecutor(engine::ExecutorContext context, LuaWorkflowCatalog& catalog,
                         RunServices services)
    : store_(context.store),
      committer_(context.committer),
      catalog_(catalog),
      clock_(context.clock),
      limiter_(context.limiter),
      lease_owner_(std::move(context.lease_owner)),
      lease_ms_(context.lease_ms),
      crash_limit_(context.crash_limit),
      hooks_(std::move(context.hooks)),
      io_(context.io),
      state_({catalog.workflows_dir()}),
      services_(std::move(services)) {}

RunExecutor::~RunExecutor() = default;

const RunExecutor::Loaded& RunExecutor::load(const std::string& hash) {
  auto it = loaded_.find(hash);
  if (it != loaded_.end()) return it->second;
  lua_State* L = state_.get();
  engine::ScriptVersion version = catalog_.version(hash);
  auto spec = load_version(L, version);
  if (!spec) throw std::runtime_error(version.entry + ": the file must return weft.workflow { ... }");
  lua_pop(L, 1);  // each run makes its own declaration
  for (const auto& [key, limit] : spec->limits) limiter_.declare(key, limit);
  Loaded loaded{std::move(*spec), "@" + version.entry};
  return loaded_.emplace(hash, std::move(loaded)).first->second;
}

void RunExecutor::fail_before_start(const Run& run, const std::string& kind,
                                    const std::string& message) {
  log::error("run cannot start", {{"run", run.id}, {"workflow", run.workflow}, {"error", message}});
  Run ended = run;
  ended.status = RunStatus::Failed;
  ended.error = error_json(kind, message);
  UpdateRun update{run.id, RunStatus::Failed, nullptr, ended.error, 0, true, {}, clock_.now_ms()};
  committer_.submit({run.id, lease_owner_, {update}},
                    [this, post = hooks_.post, ended](bool applied, std::exception_ptr) {
                      post([this, ended, applied] {
                        if (applied) {
                          observe_run_ended(ended);
                          hooks_.finished(ended);
                        }
                        hooks_.released(ended.id, 0);
                      });
                    });
}

void RunExecutor::start(Run run, bool fresh) {
  auto existing = live_.find(run.id);
  if (existing != live_.end()) {  // its park commit landed, its drop is on the way
    existing->second.restart = std::move(run);
    return;
  }
  if (crash_limit_ && run.crashes >= crash_limit_) {
    fail_before_start(run, "crashed",
                      "the process died " + std::to_string(run.crashes) +
                          " times while executing this run; it is quarantined instead of resumed"
                          " again (redrive it once the cause is fixed)");
    return;
  }
  const Loaded* loaded = nullptr;
  std::vector<HistoryEvent> history;
  std::vector<InboxEvent> inbox;
  Redactor redactor;  // declared secrets: hidden from all this run writes
  try {
    loaded = &load(run.script_hash);
    if (services_.declared_secrets) redactor = services_.declared_secrets(loaded->spec.secrets, run.tenant, store_);
    if (!fresh) {
      history = store_.runs().history(run.id);
      inbox = store_.runs().unconsumed_inbox(run.id);
    }
  } catch (const std::exception& e) {
    fail_before_start(run, "load", e.what());
    return;
  }
  observe_run_started(run, fresh);
  Live& live = live_[run.id];
  live.rc = std::make_unique<RunContext>(std::move(run), loaded->spec,
                                              Journal(std::move(history), std::move(inbox)), clock_);
  live.rc->cancel_requested = live.rc->run.cancel_requested;
  live.rc->services = &services_.services;
  live.rc->documents = &store_.documents();
  live.rc->blobs = &store_.blobs();
  live.rc->secrets = &store_.secrets();
  live.rc->runs = &store_.runs();
  live.rc->redactor = std::move(redactor);
  live.rc->limiter = &limiter_;
  live.rc->schedule_after = [this](int64_t delay_ms, std::function<void()> fn) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(delay_ms));
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code&) { fn(); });
  };
  live.rc->resume_async = [this, id = live.rc->run.id, rc = live.rc.get()](
                              RunLink* target, std::function<int(lua_State*)> push) {
    // Always from the loop, never inside the binding that started the work.
    hooks_.post([this, id, rc, target, push = std::move(push)] { resume_async(id, rc, target, push); });
  };
  live.rc->resolve_child = [this](const std::string& workflow) -> std::optional<ChildScript> {
    auto info = catalog_.by_name(workflow);
    if (!info) return std::nullopt;
    return ChildScript{info->hash, info->timeout_ms, info->queue};
  };
  live.chunkname = loaded->chunkname;
  lua_State* L = state_.get();
  push_environment(L);
  bind_to_version(L, -1, live.rc->run.script_hash);
  live.env_ref = live.rc->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  push_ctx(L, *live.rc);
  live.ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  begin(live, false);
}

// Creates the coroutine and resumes it with (ctx, input) for the body, or
// with (ctx) for the saga's compensation.
void RunExecutor::begin(Live& live, bool compensation) {
  lua_State* L = state_.get();
  if (live.thread_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, live.thread_ref);
  live.co = lua_newthread(L);
  live.thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  set_run_link(live.co, &live.rc->link);
  int nargs = 1;
  if (compensation) {
    push_compensation_entry(live.co, live.env_ref);
    lua_rawgeti(live.co, LUA_REGISTRYINDEX, live.ctx_ref);
  } else {
    push_body_entry(live.co, live.env_ref, live.rc->run.script_hash, live.chunkname);
    lua_rawgeti(live.co, LUA_REGISTRYINDEX, live.ctx_ref);
    push_json(live.co, live.rc->run.input);
    nargs = 2;
  }
  resume(live, nargs);
}

void RunExecutor::resume(Live& live, int nargs) {
  int status = resume_run(state_, live.co, *live.rc, nargs);
  if (status == LUA_YIELD)
    on_yield(live);
  else if (status == LUA_OK)
    on_return(live);
  else
    on_error(live);
}

void RunExecutor::on_yield(Live& live) {
  RunContext& rc = *live.rc;
  PendingOp op = std::move(rc.op);
  rc.op = PendingOp{};
  switch (op.kind) {
    case PendingOp::Kind::None:
      finish(live, RunStatus::Failed, nullptr,
             error_json("error", "coroutine.yield is not allowed in a workflow body (only inside"
                                 " coroutines the workflow creates itself)"));
      return;
    case PendingOp::Kind::Park:
      park(live, op.park_status, op.wake_at, std::move(op.await_events), {});
      return;
    case PendingOp::Kind::Async:
      live.awaiting_async = true;  // a completion resumes the run (resume_async)
      deliver_completion(live);
      return;
    case PendingOp::Kind::Commit: {  // steps of branches: one write, then resume
      fault_point("after-step-before-commit");
      std::vector<Mutation> events;
      for (auto& event : op.events) events.push_back(PutEvent{std::move(event)});
      commit(live, std::move(events), [this](Live& l) {
        l.rc->async_target = nullptr;  // the branches resume for their commit, not for I/O
        if (releasing_)
          park(l, RunStatus::Pending, clock_.now_ms(), {}, {});
        else
          resume(l, 0);
      });
      return;
    }
    case PendingOp::Kind::StepDone:
      break;
  }
  fault_point("after-step-before-commit");
  if (op.event.status == EventStatus::Retrying) {
    int64_t wake_at = op.event.fire_at;
    if (rc.run.deadline && wake_at > rc.run.deadline) wake_at = rc.run.deadline;
    park(live, RunStatus::Sleeping, wake_at, {}, {PutEvent{op.event}});
    return;
  }
  rc.op = op;  // the step's continuation reads the committed event
  commit(live, {PutEvent{std::move(op.event)}}, [this](Live& l) {
    if (releasing_)
      park(l, RunStatus::Pending, clock_.now_ms(), {}, {});
    else
      resume(l, 0);
  });
}

void RunExecutor::on_return(Live& live) {
  RunContext& rc = *live.rc;
  if (rc.doomed()) {
    on_error(live);
    return;
  }
  if (live.compensating) {
    finish(live, RunStatus::Compensated, nullptr, live.body_error);
    return;
  }
  json result;
  try {
    result = lua_gettop(live.co) > 0 ? lua_to_json(live.co, -1, "workflow result") : json();
  } catch (const std::exception& e) {
    finish(live, RunStatus::Failed, nullptr, error_json("serialization", e.what()));
    return;
  }
  finish(live, RunStatus::Completed, std::move(result), nullptr);
}

void RunExecutor::on_error(Live& live) {
  RunContext& rc = *live.rc;
  json error;
  if (rc.doomed()) {
    error = *rc.doom_error;
  } else {
    error = error_value_to_json(live.co, -1);
    if (!error.contains("traceback")) {
      luaL_traceback(state_.get(), live.co, nullptr, 0);
      error["traceback"] = lua_tostring(state_.get(), -1);
      lua_pop(state_.get(), 1);
    }
  }
  if (rc.doomed()) {
    bool cancelled = error.value("kind", "") == "cancelled";
    finish(live, cancelled ? RunStatus::Cancelled : RunStatus::Failed, nullptr, error);
    return;
  }
  if (live.compensating) {
    json combined = error_json("compensation_failed",
                               "compensation failed: " + error.value("message", std::string("?")) +
                                   " (after: " +
                                   live.body_error.value("message", std::string("?")) + ")");
    combined["error"] = live.body_error;
    combined["compensation_error"] = error;
    finish(live, RunStatus::Failed, nullptr, combined);
    return;
  }
  start_compensation(live, std::move(error));
}

void RunExecutor::start_compensation(Live& live, json body_error) {
  lua_State* L = state_.get();
  lua_rawgeti(L, LUA_REGISTRYINDEX, live.ctx_ref);
  bool pending = saga_pending(L, lua_gettop(L));
  lua_pop(L, 1);
  if (!pending) {
    finish(live, RunStatus::Failed, nullptr, std::move(body_error));
    return;
  }
  live.compensating = true;
  live.body_error = std::move(body_error);
  begin(live, true);
}

void RunExecutor::park(Live& live, RunStatus status, int64_t wake_at,
                       std::vector<std::string> await_events, std::vector<Mutation> extra) {
  RunContext& rc = *live.rc;
  int64_t now = clock_.now_ms();
  extra.push_back(
      UpdateRun{rc.run.id, status, nullptr, nullptr, wake_at, true, std::move(await_events), now});
  observe_parked(rc.run, rc.journal.last_seq(), status, wake_at);
  std::string id = rc.run.id;
  commit(live, std::move(extra), [this, id, wake_at](Live&) { drop(id, wake_at); });
}

void RunExecutor::finish(Live& live, RunStatus status, json result, json error) {
  RunContext& rc = *live.rc;
  rc.redactor.clean(result);  // before the parent, the log and API waiters see them
  rc.redactor.clean(error);
  int64_t now = clock_.now_ms();
  std::vector<Mutation> extra;
  extra.push_back(UpdateRun{rc.run.id, status, result, error, 0, true, {}, now});
  if (!rc.run.parent_id.empty()) {  // complete the parent's ctx:child and wake it
    HistoryEvent event;
    event.run_id = rc.run.parent_id;
    event.seq = rc.run.parent_seq;  // no path: the store keeps the pending event's
    event.kind = EventKind::Child;
    event.name = rc.run.workflow;
    event.status = status == RunStatus::Completed ? EventStatus::Completed : EventStatus::Failed;
    event.started_at = rc.run.created_at;
    event.ended_at = now;
    event.result = result;
    event.error = error;
    extra.push_back(PutEvent{std::move(event)});
    extra.push_back(WakeRun{rc.run.parent_id, now});
  }
  Run ended = rc.run;
  ended.status = status;
  ended.result = std::move(result);
  ended.error = std::move(error);
  ended.updated_at = now;
  if (auto hook = failure_hook_run(rc, ended, store_)) extra.push_back(InsertRun{std::move(*hook)});
  commit(live, std::move(extra), [this, ended = std::move(ended)](Live&) {
    observe_run_ended(ended);
    hooks_.finished(ended);
    drop(ended.id, 0);
  });
}

void RunExecutor::commit(Live& live, std::vector<Mutation> extra, std::function<void(Live&)> next) {
  RunContext& rc = *live.rc;
  RunWrite write{rc.run.id, lease_owner_, std::move(rc.buffered)};
  rc.buffered.clear();
  for (auto& mutation : extra) write.mutations.push_back(std::move(mutation));
  rc.redactor.clean(write.mutations);  // results, errors, children's inputs
  std::vector<Run> children;
  int64_t poll_by = 0;  // a run started for a later claim is due then
  auto due = [&poll_by](int64_t at) { poll_by = poll_by ? std::min(poll_by, at) : at; };
  for (auto& mutation : write.mutations) {
    if (auto* insert = std::get_if<InsertRun>(&mutation)) {
      if (!insert->run.queue.empty() || insert->run.wake_at > clock_.now_ms()) {
        due(insert->run.wake_at);  // its queue or its delay decides when it runs
        continue;
      }
      insert->run.status = RunStatus::Running;  // children start leased to us
      insert->run.lease_owner = lease_owner_;
      insert->run.lease_expires = clock_.now_ms() + lease_ms_;
      children.push_back(insert->run);
    } else if (auto* start = std::get_if<StartRun>(&mutation)) {
      due(start->run.wake_at);  // claimed by a poll: the key may name another run
    } else if (auto* update = std::get_if<UpdateRun>(&mutation)) {
      if (update->release_lease && !rc.run.queue.empty()) due(update->updated_at);  // a slot is free
    }
  }
  CommittedSteps steps = committed_steps(write.mutations);
  std::string id = rc.run.id;
  // The committer may tell us after this executor is gone (the engine
  // stops its workers, then flushes the committer): the callback calls the
  // worker's post, a copy, never this executor; what it posts to a stopped
  // worker never runs.
  committer_.submit(std::move(write), [this, post = hooks_.post, poll = hooks_.poll_by, poll_by, id,
                                       next = std::move(next), children = std::move(children),
                                       steps = std::move(steps)](
                                          bool applied, std::exception_ptr error) mutable {
    if (poll_by && applied && !error && poll) poll(poll_by);
    post([this, id, next = std::move(next), children = std::move(children),
          steps = std::move(steps), applied, error] {
      auto it = live_.find(id);
      if (it == live_.end()) return;
      if (!applied || error) {
        log::warn("commit not applied, the run is left to recovery",
                  {{"run", id}, {"error", error ? log::describe(error) : "lease lost"}});
        drop(id, 0);
        return;
      }
      observe_steps(it->second.rc->run, steps);
      for (const auto& child : children) hooks_.child_created(child);
      next(it->second);
    });
  });
}

void RunExecutor::drop(const std::string& run_id, int64_t wake_at) {
  auto it = live_.find(run_id);
  if (it == live_.end()) return;
  lua_State* L = state_.get();
  luaL_unref(L, LUA_REGISTRYINDEX, it->second.thread_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, it->second.ctx_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, it->second.env_ref);
  std::optional<Run> restart = std::move(it->second.restart);
  live_.erase(it);
  if (restart)
    start(*restart, false);
  else
    hooks_.released(run_id, wake_at);
}

void RunExecutor::resume_async(const std::string& run_id, const RunContext* rc, RunLink* target,
                               std::function<int(lua_State*)> push) {
  auto it = live_.find(run_id);
  // Dropped meanwhile (lease lost), or started again: nothing to resume.
  if (it == live_.end() || it->second.rc.get() != rc) return;
  it->second.completions.emplace_back(target, std::move(push));
  if (it->second.awaiting_async) deliver_completion(it->second);
}

void RunExecutor::deliver_completion(Live& live) {
  RunContext& rc = *live.rc;
  while (!live.completions.empty()) {
    auto [target, push] = std::move(live.completions.front());
    live.completions.pop_front();
    if (!rc.live_links.count(target)) continue;  // its branch ended (a failed ctx:all)
    live.awaiting_async = false;
    rc.async_result = std::move(push);
    rc.async_target = target == &rc.link ? nullptr : target;
    resume(live, 0);
    return;
  }
}

void RunExecutor::release_runs() { releasing_ = true; }

void RunExecutor::cancel(const std::string& run_id) {
  auto it = live_.find(run_id);
  if (it != live_.end()) it->second.rc->cancel_requested = true;
}

engine::ExecutorFactory run_executors(LuaWorkflowCatalog& catalog,
                                      std::function<RunServices(boost::asio::io_context&)> make_services) {
  return [&catalog, make_services = std::move(make_services)](engine::ExecutorContext context) {
    RunServices services = make_services(context.io);
    return std::make_unique<RunExecutor>(std::move(context), catalog, std::move(services));
  };
}

}  // namespace weft::dsl
