// The side-effect-free replayer (see replayer.hpp). It drives a run's
// coroutine as the executor does, except that a yield to commit branch
// steps is answered at once (nothing is written) and any other yield ends
// the replay: with RunContext::replay set, the ctx functions never call a
// step function, never start I/O and never park.
#include "dsl/replayer.hpp"

#include <set>

#include "dsl/ctx.hpp"
#include "dsl/environment.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/run_context.hpp"
#include "dsl/run_entry.hpp"
#include "dsl/thread_link.hpp"
#include "dsl/version_modules.hpp"
#include "engine/clock.hpp"

namespace weft::dsl {
namespace {

using engine::RunStatus;
using nlohmann::json;

// Error kinds of runs stopped from outside their code: their history ends
// where they were stopped, so a replay that goes on past it is expected.
bool stopped_from_outside(const engine::Run& run) {
  if (run.status == RunStatus::Cancelled) return true;
  if (run.status != RunStatus::Failed) return false;
  static const std::set<std::string> kinds = {"cancelled", "timeout",         "crashed",
                                              "load",      "non_determinism", "limit_exceeded"};
  return kinds.count(run.error.value("kind", "")) > 0;
}

bool same_error(const json& a, const json& b) {
  auto field = [](const json& e, const char* key) {
    return e.is_object() && e.contains(key) ? e[key] : json();
  };
  return field(a, "kind") == field(b, "kind") && field(a, "message") == field(b, "message");
}

// Whether the replay ended as the recorded run did.
bool same_outcome(const engine::Run& run, const ReplayReport& report) {
  switch (run.status) {
    case RunStatus::Completed:
      return report.outcome == "completed" && report.result == run.result;
    case RunStatus::Failed:
      return report.outcome == "failed" && same_error(report.error, run.error);
    case RunStatus::Compensated:
      return report.outcome == "compensated" && same_error(report.error, run.error);
    default:
      return true;
  }
}

// The recorded call of lowest seq that the replay never reached.
std::optional<engine::Divergence> first_unvisited(const std::vector<engine::HistoryEvent>& history,
                                                  const std::set<std::string>& visited) {
  for (const auto& event : history)
    if (!visited.count(event.path))
      return engine::Divergence{event.seq, event.path, engine::summarize(event), std::nullopt};
  return std::nullopt;
}

// One replay in flight: the run's context, environment and coroutine.
class Replay {
 public:
  Replay(LuaState& state, const engine::Run& run, const WorkflowSpec& spec,
         const std::vector<engine::HistoryEvent>& history, engine::RateLimiter& limiter,
         const ReplayTrace* pause)
      : state_(state), rc_(run, spec, engine::Journal(history, {}), clock_), history_(history) {
    if (pause) {
      trace_.pause_seq = pause->pause_seq;
      trace_.at_pause = pause->at_pause;
    }
    rc_.run.deadline = 0;  // a replay is never cancelled nor timed out
    rc_.run.cancel_requested = false;
    rc_.replay = &trace_;
    rc_.limiter = &limiter;
    lua_State* L = state_.get();
    push_environment(L);
    bind_to_version(L, -1, run.script_hash);
    env_ref_ = rc_.env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    push_ctx(L, rc_);
    ctx_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  ~Replay() {
    lua_State* L = state_.get();
    for (int ref : {env_ref_, ctx_ref_, thread_ref_}) luaL_unref(L, LUA_REGISTRYINDEX, ref);
  }
  Replay(const Replay&) = delete;
  Replay& operator=(const Replay&) = delete;

  ReplayReport run(const std::string& chunkname) {
    ReplayReport report;
    int nargs = begin(false, chunkname);
    json body_error;
    for (;;) {
      int status = resume(nargs);
      nargs = 0;
      if (status == LUA_YIELD) {
        if (rc_.op.kind == PendingOp::Kind::Commit) {  // branches' steps: nothing to write
          rc_.op = PendingOp{};
          continue;
        }
        break;  // stopped where history stops
      }
      if (trace_.stopped != ReplayTrace::Stop::None) break;
      if (status == LUA_OK && !rc_.doomed()) {
        if (compensating_) {
          report.outcome = "compensated";
          report.error = body_error;
        } else {
          try {
            report.result = lua_gettop(co_) > 0 ? lua_to_json(co_, -1, "workflow result") : json();
            report.outcome = "completed";
          } catch (const std::exception& e) {
            report.outcome = "failed";
            report.error = {{"kind", "serialization"}, {"message", e.what()}};
          }
        }
        break;
      }
      json error = rc_.doomed() ? *rc_.doom_error : error_value_to_json(co_, -1);
      if (!rc_.doomed() && !compensating_ && has_saga_undo()) {
        body_error = error;
        nargs = begin(true, chunkname);
        continue;
      }
      report.outcome = "failed";
      report.error = compensating_ ? json{{"kind", "compensation_failed"}, {"error", body_error},
                                          {"compensation_error", error}}
                                   : error;
      break;
    }
    report.replayed = trace_.replayed;
    if (trace_.stopped != ReplayTrace::Stop::None) {
      report.outcome.clear();
      report.result = report.error = nullptr;
    }
    return finish(std::move(report));
  }

 private:
  int begin(bool compensation, const std::string& chunkname) {
    lua_State* L = state_.get();
    if (thread_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, thread_ref_);
    co_ = lua_newthread(L);
    thread_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    set_run_link(co_, &rc_.link);
    compensating_ = compensation;
    if (compensation) {
      push_compensation_entry(co_, env_ref_);
      lua_rawgeti(co_, LUA_REGISTRYINDEX, ctx_ref_);
      return 1;
    }
    push_body_entry(co_, env_ref_, rc_.run.script_hash, chunkname);
    lua_rawgeti(co_, LUA_REGISTRYINDEX, ctx_ref_);
    push_json(co_, rc_.run.input);
    return 2;
  }

  int resume(int nargs) { return resume_run(state_, co_, rc_, nargs); }

  bool has_saga_undo() {
    lua_State* L = state_.get();
    lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref_);
    bool pending = saga_pending(L, lua_gettop(L));
    lua_pop(L, 1);
    return pending;
  }

  ReplayReport finish(ReplayReport report) {
    const engine::Run& run = rc_.run;
    bool ended_by_code = engine::is_finished(run.status) && !stopped_from_outside(run);
    using Stop = ReplayTrace::Stop;
    if (trace_.stopped == Stop::Paused) return report;  // stopped on purpose, mid-run
    if (trace_.stopped == Stop::Diverged || (trace_.stopped == Stop::EndOfHistory && ended_by_code)) {
      report.divergence = trace_.stop;
    } else if (trace_.stopped == Stop::None) {
      report.divergence = first_unvisited(history_, trace_.visited);
    }
    if (ended_by_code && !report.divergence) report.result_differs = !same_outcome(run, report);
    if (ended_by_code && report.divergence) report.result_differs = true;
    return report;
  }

  LuaState& state_;
  engine::ManualClock clock_;
  RunContext rc_;
  const std::vector<engine::HistoryEvent>& history_;
  ReplayTrace trace_;
  int env_ref_ = LUA_NOREF;
  int ctx_ref_ = LUA_NOREF;
  int thread_ref_ = LUA_NOREF;
  lua_State* co_ = nullptr;
  bool compensating_ = false;
};

}  // namespace

nlohmann::json to_json(const ReplayReport& report) {
  json out = {{"diverged", report.divergence.has_value()},
              {"replayed", report.replayed},
              {"position", nullptr},
              {"recorded", nullptr},
              {"current", nullptr},
              {"result_differs", report.result_differs},
              {"outcome", report.outcome.empty() ? json() : json(report.outcome)}};
  if (report.divergence) {
    json divergence = engine::to_json(*report.divergence);
    for (const char* key : {"position", "recorded", "current"}) out[key] = divergence[key];
  }
  if (report.outcome == "completed") out["result"] = report.result;
  if (!report.error.is_null()) out["error"] = report.error;
  return out;
}

Replayer::Replayer() : state_(StateOptions{}) {}

const WorkflowSpec& Replayer::load(const engine::ScriptVersion& version) {
  auto it = loaded_.find(version.hash);
  if (it != loaded_.end()) return it->second;
  lua_State* L = state_.get();
  auto spec = load_version(L, version);
  if (!spec) throw std::runtime_error(version.entry + ": the file must return weft.workflow { ... }");
  lua_pop(L, 1);
  for (const auto& [key, limit] : spec->limits) limiter_.declare(key, limit);
  return loaded_.emplace(version.hash, std::move(*spec)).first->second;
}

ReplayReport Replayer::replay(const engine::Run& run, const std::vector<engine::HistoryEvent>& history,
                              const engine::ScriptVersion& version, const ReplayTrace* pause) {
  const WorkflowSpec& spec = load(version);
  engine::Run as_version = run;
  as_version.script_hash = version.hash;
  Replay replay(state_, as_version, spec, history, limiter_, pause);
  return replay.run("@" + version.entry);
}

}  // namespace weft::dsl
