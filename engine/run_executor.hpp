// Executes runs on one worker thread: each in-flight run is a coroutine in
// the worker's Lua state, with an environment of its own (its globals, its
// modules, its own closures of the workflow file), so runs share the state
// and nothing they can write. This is the only place that resumes a run's
// coroutine; it switches on what the run yielded for (commit a step, park)
// and on how it ended (result, error, compensation).
//
// Design: a parked run is dropped (coroutine, context and all) once its
// park is committed; when due, it is started again and replays its
// history up to where it stopped. Nothing in memory must survive a park.
#pragma once
#include <lua.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dsl/lua_state.hpp"
#include "dsl/run_context.hpp"
#include "engine/clock.hpp"
#include "engine/group_commit.hpp"
#include "engine/store.hpp"
#include "engine/workflow_catalog.hpp"
#include "stdlib/http_client.hpp"
#include "engine/rate_limiter.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::engine {

struct ExecutorHooks {
  std::function<void(std::function<void()>)> post;  // run on this worker's thread
  std::function<void(const Run&)> finished;         // a run ended (durably)
  std::function<void(const Run&)> child_created;    // a child run to dispatch
  std::function<void(const std::string& id, int64_t wake_at)> released;  // left this worker
};

struct ExecutorConfig {
  std::string lease_owner;
  int64_t lease_ms = 30'000;
  int64_t crash_limit = 3;  // see EngineOptions::crash_limit
  const stdlib::SecretKeys* secret_keys = nullptr;
  engine::RateLimiter* limiter = nullptr;
};

class RunExecutor {
 public:
  RunExecutor(boost::asio::io_context& io, Store& store, GroupCommitter& committer,
              WorkflowCatalog& catalog, const Clock& clock, ExecutorConfig config,
              ExecutorHooks hooks);
  ~RunExecutor();

  // Starts (or resumes by replay) a run leased to this process. `fresh`:
  // just created, so there is no history to read.
  void start(Run run, bool fresh);
  void cancel(const std::string& run_id);
  // Shutdown: from now on each run is handed back to the store (due at
  // once, lease released) at its next durable point instead of going on,
  // so another process, or this one restarted, continues it by replay.
  void release_runs();

 private:
  struct Loaded {
    dsl::WorkflowSpec spec;
    std::string chunkname;  // "@path", for the chunk each run instantiates
  };
  struct Live {
    std::unique_ptr<dsl::RunContext> rc;
    lua_State* co = nullptr;
    int thread_ref = LUA_NOREF;
    int ctx_ref = LUA_NOREF;
    int env_ref = LUA_NOREF;  // the run's own globals and modules
    std::string chunkname;
    bool compensating = false;
    nlohmann::json body_error;
    std::optional<Run> restart;  // claimed again before its park was dropped
  };

  const Loaded& load(const std::string& hash, const std::string& workflow);
  void begin(Live& live, bool compensation);
  void resume(Live& live, int nargs);
  void on_yield(Live& live);
  void on_return(Live& live);
  void on_error(Live& live);
  void start_compensation(Live& live, nlohmann::json body_error);
  void park(Live& live, RunStatus status, int64_t wake_at, const std::string& await_event,
            std::vector<Mutation> extra);
  void finish(Live& live, RunStatus status, nlohmann::json result, nlohmann::json error);
  // Commits the run's buffered writes plus `extra`; then `next` on this thread.
  void commit(Live& live, std::vector<Mutation> extra, std::function<void(Live&)> next);
  void drop(const std::string& run_id, int64_t wake_at);
  void resume_async(const std::string& run_id, std::function<int(lua_State*)> push);
  void fail_before_start(const Run& run, const std::string& kind, const std::string& message);

  Store& store_;
  GroupCommitter& committer_;
  WorkflowCatalog& catalog_;
  const Clock& clock_;
  ExecutorConfig config_;
  ExecutorHooks hooks_;
  bool releasing_ = false;
  boost::asio::io_context& io_;
  dsl::LuaState state_;
  stdlib::HttpClient http_;
  dsl::Services services_;  // http_ and the secret keys, for the runs' modules
  std::map<std::string, Loaded> loaded_;
  std::map<std::string, Live> live_;
};

}  // namespace weft::engine
