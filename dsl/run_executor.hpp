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

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dsl/lua_state.hpp"
#include "dsl/redact.hpp"
#include "dsl/run_context.hpp"
#include "dsl/services.hpp"
#include "engine/executor.hpp"
#include "dsl/lua_workflow_catalog.hpp"

namespace weft::dsl {

// What the layer above lends the runs of one worker: the native services
// their modules find by type, what keeps those alive, and how the values
// of a workflow's declared secrets are read (for redaction).
struct RunServices {
  Services services;
  std::vector<std::shared_ptr<void>> owned;
  std::function<Redactor(const SecretGrants& declared, const std::string& tenant, engine::Store& store)>
      declared_secrets;
};

class RunExecutor : public engine::Executor {
 public:
  RunExecutor(engine::ExecutorContext context, LuaWorkflowCatalog& catalog, RunServices services);
  ~RunExecutor() override;

  void start(engine::Run run, bool fresh) override;
  void cancel(const std::string& run_id) override;
  void release_runs() override;

 private:
  struct Loaded {
    WorkflowSpec spec;
    std::string chunkname;  // "@path", for the chunk each run instantiates
  };
  struct Live {
    std::unique_ptr<RunContext> rc;
    lua_State* co = nullptr;
    int thread_ref = LUA_NOREF;
    int ctx_ref = LUA_NOREF;
    int env_ref = LUA_NOREF;  // the run's own globals and modules
    std::string chunkname;
    bool compensating = false;
    nlohmann::json body_error;
    std::optional<engine::Run> restart;  // claimed again before its park was dropped
    // Asynchronous completions that came while the run waited for
    // something else (a commit of its branches): delivered one per yield
    // for I/O, in the order they came.
    bool awaiting_async = false;
    std::deque<std::pair<RunLink*, std::function<int(lua_State*)>>> completions;
  };

  const Loaded& load(const std::string& hash);
  void begin(Live& live, bool compensation);
  void resume(Live& live, int nargs);
  void on_yield(Live& live);
  void on_return(Live& live);
  void on_error(Live& live);
  void start_compensation(Live& live, nlohmann::json body_error);
  void park(Live& live, engine::RunStatus status, int64_t wake_at,
            std::vector<std::string> await_events, std::vector<engine::Mutation> extra);
  void finish(Live& live, engine::RunStatus status, nlohmann::json result, nlohmann::json error);
  // Commits the run's buffered writes plus `extra`; then `next` on this thread.
  void commit(Live& live, std::vector<engine::Mutation> extra, std::function<void(Live&)> next);
  void drop(const std::string& run_id, int64_t wake_at);
  void resume_async(const std::string& run_id, const RunContext* rc, RunLink* target,
                    std::function<int(lua_State*)> push);
  // Resumes the run with its next queued completion, if any.
  void deliver_completion(Live& live);
  void fail_before_start(const engine::Run& run, const std::string& kind, const std::string& message);

  engine::Store& store_;
  engine::GroupCommitter& committer_;
  LuaWorkflowCatalog& catalog_;
  const engine::Clock& clock_;
  engine::RateLimiter& limiter_;
  std::string lease_owner_;
  int64_t lease_ms_;
  int64_t crash_limit_;
  engine::ExecutorHooks hooks_;
  bool releasing_ = false;
  boost::asio::io_context& io_;
  LuaState state_;
  RunServices services_;
  std::map<std::string, Loaded> loaded_;
  std::map<std::string, Live> live_;
};

// The factory the engine calls on each worker thread: a RunExecutor over
// `catalog`, with the services `make_services` gives for that worker.
engine::ExecutorFactory run_executors(LuaWorkflowCatalog& catalog,
                                      std::function<RunServices(boost::asio::io_context&)> make_services);

}  // namespace weft::dsl
