// The state of one run while it is in flight on a worker: its record, its
// journal, what its coroutine asked the engine for, and why it must stop.
// The ctx functions (ctx_*.cpp) fill it; the executor reads it.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dsl/redact.hpp"
#include "dsl/services.hpp"
#include "engine/queue_spec.hpp"
#include "dsl/thread_link.hpp"
#include "dsl/workflow_spec.hpp"
#include "engine/clock.hpp"
#include "engine/divergence.hpp"
#include "engine/history_event.hpp"
#include "engine/replay.hpp"
#include "engine/run.hpp"
#include "engine/store.hpp"

namespace weft::dsl {

// What a run's coroutine yielded for.
struct PendingOp {
  enum class Kind {
    None,      // a plain coroutine.yield: not allowed in a workflow body
    StepDone,  // a step attempt ended: commit `event`, then resume (or park to retry)
    Commit,    // branches' steps ended: commit `events` (all final), then resume
    Park,      // park the run (sleep, wait, child, retry backoff); never resumed
    Async,     // waiting for asynchronous work (HTTP); resumed by its completion
  };
  Kind kind = Kind::None;
  engine::HistoryEvent event;  // StepDone
  std::vector<engine::HistoryEvent> events;  // Commit
  engine::RunStatus park_status = engine::RunStatus::Sleeping;
  int64_t wake_at = 0;          // Park: 0 = only an event or a child wakes it
  std::vector<std::string> await_events;  // Park as Waiting for these event names
};

class RunContext;

// Set on a side-effect-free replay (replayer.hpp): durable calls are
// answered from history only; the first one history cannot answer (a
// divergence, or the end of what was recorded) stops the run.
struct ReplayTrace {
  enum class Stop { None, EndOfHistory, Diverged, Paused };
  int64_t replayed = 0;            // calls history answered
  std::set<std::string> visited;   // their paths
  Stop stopped = Stop::None;       // why the replay stopped, if it did
  std::optional<engine::Divergence> stop;  // the call it stopped at
  // A debugger's pause (replay_frames.hpp): at the recorded call with
  // this seq, `at_pause` runs inside the run's coroutine (its frames are
  // on the stack), then the replay stops there.
  int64_t pause_seq = 0;
  std::function<void(lua_State* L, RunContext& rc, const engine::Decision& d)> at_pause;
  bool evaluating = false;  // a debugger expression runs: durable calls are refused
};

// Where ctx:child finds the script of another workflow of the same folder.
struct ChildScript {
  std::string hash;
  int64_t timeout_ms = 0;
  engine::QueueSpec queue;  // the queue its runs go through (engine::queue_for); name "" when none
};
using ChildResolver = std::function<std::optional<ChildScript>(const std::string& workflow)>;

}  // namespace weft::dsl

namespace weft::engine {
class RateLimiter;
}

namespace weft::dsl {

class RunContext {
 public:
  RunContext(engine::Run run, const WorkflowSpec& spec, engine::Journal journal,
             const engine::Clock& clock)
      : run(std::move(run)), spec(spec), journal(std::move(journal)), clock(clock) {
    link.run = this;
    live_links.insert(&link);
  }

  int64_t now() const { return clock.now_ms(); }
  // Stops the run for good, even inside a user's pcall (non-determinism,
  // cancellation, timeout, exceeded budget). The first reason wins.
  void doom(const std::string& kind, const std::string& message);
  bool doomed() const { return doom_error.has_value(); }
  // A native service of this run's worker, or null (see services.hpp).
  template <class T>
  T* service() const {
    return services ? services->find<T>() : nullptr;
  }

  engine::Run run;
  const WorkflowSpec& spec;
  engine::Journal journal;
  const engine::Clock& clock;
  RunLink link;
  ChildResolver resolve_child;
  int env_ref = LUA_NOREF;                   // the run's environment (registry)
  int64_t children = 0;                      // ctx:child calls so far, replayed ones included
  const Services* services = nullptr;  // the worker's native services (HTTP client, secret keys, ...)
  // Storage for steps, one interface per concern (each may have its own backend).
  engine::DocumentStore* documents = nullptr;  // weft.store
  engine::BlobStore* blobs = nullptr;          // weft.blob
  engine::SecretStore* secrets = nullptr;      // weft.secrets (ciphertext only)
  engine::RunStore* runs = nullptr;            // ctx:start's lookup of a keyed start
  Redactor redactor;  // values of the secrets the workflow declares: out of all it writes
  engine::RateLimiter* limiter = nullptr;    // the process's rate limits
  // Calls `fn` on the worker's loop after `delay_ms` (for waits inside steps).
  std::function<void(int64_t delay_ms, std::function<void()> fn)> schedule_after;

  // Asynchronous work (async_call.hpp): the executor sets resume_async,
  // which stores the pusher in async_result, the coroutine that waits for
  // it in async_target, and resumes the run.
  std::function<void(RunLink* target, std::function<int(lua_State*)>)> resume_async;
  std::function<int(lua_State*)> async_result;
  RunLink* async_target = nullptr;

  PendingOp op;
  std::vector<engine::Mutation> buffered;  // written with the next commit
  ReplayTrace* replay = nullptr;           // set: a replay that executes nothing
  std::optional<engine::Divergence> mismatch;  // the journal's, for the error
  std::optional<nlohmann::json> doom_error;
  bool cancel_requested = false;

  // The coroutines making durable calls now: the body's link and those of
  // running ctx:all branches (ctx_branches.cpp), and how many branches.
  std::set<const RunLink*> live_links;
  int64_t live_branches = 0;
};

}  // namespace weft::dsl
