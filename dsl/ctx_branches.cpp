// ctx:all, ctx:all_settled and ctx:map: branches of one run that run
// concurrently on its worker, each a coroutine with a position of its own.
//
// Design: the coroutine that calls ctx:all (the body, or a branch: groups
// nest) schedules its branches. It resumes every ready branch until each
// blocks on a durable call, then yields once for all of them, their waits
// merged into one request to the executor:
//   some ended a step    → Commit their events in one write, then resume them
//   some wait for I/O    → Async: each completion resumes the branch it is for
//   the rest are parked  → Park the run until the earliest wake; it then
//                          replays, and every branch meets its calls by path
// Branch b of the call at path P makes its calls at "P/b/1", "P/b/2", ...
// (engine/history_event.hpp), whatever order the branches run in.
//
// Fail-fast (ctx:all, ctx:map): after the first failure no branch starts a
// new durable call; steps already running are let finish and recorded,
// then the call raises that failure.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "dsl/ctx.hpp"
#include "dsl/ctx_park.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kGroupMeta = "weft.branch_group";

// Stack slots of the calling coroutine while a group runs.
constexpr int kGroupSlot = 5;    // the group's userdata
constexpr int kThreadsSlot = 6;  // branch coroutines, by branch number
constexpr int kResultsSlot = 7;  // results (or settled records), by branch number

enum class Mode { All, Settled };

struct Branch {
  enum class State { NotStarted, Ready, Committing, Async, Parked, Done, Abandoned };
  State state = State::NotStarted;
  RunLink link;
  lua_State* co = nullptr;
  int resume_args = 0;  // values pushed for its first resume
  PendingOp op;         // what it yielded for (Committing, Parked)
};

struct Group {
  Mode mode = Mode::All;
  std::vector<std::unique_ptr<Branch>> branches;
  size_t concurrency = 0;  // branches running at once (started, not ended)
  size_t started = 0;
  bool failing = false;
  RunContext* rc = nullptr;  // alive while the group runs; a collected group never reads it
  bool ended = false;

  // Once the call returns or raises: its branches no longer count, and no
  // completion can be routed to them.
  void end() {
    for (auto& branch : branches) rc->live_links.erase(&branch->link);
    rc->live_branches -= static_cast<int64_t>(branches.size());
    ended = true;
  }
  size_t running() const {
    size_t n = 0;
    for (const auto& b : branches)
      if (b->state != Branch::State::NotStarted && b->state != Branch::State::Done &&
          b->state != Branch::State::Abandoned)
        ++n;
    return n;
  }
};

Group& group_at(lua_State* L) { return **static_cast<Group**>(lua_touserdata(L, kGroupSlot)); }

int collect_group(lua_State* L) {
  auto** slot = static_cast<Group**>(lua_touserdata(L, 1));
  delete *slot;
  *slot = nullptr;
  return 0;
}

// Stores the branch's outcome (value or error on top of L) as result i.
void settle(lua_State* L, Group& group, size_t i, bool ok) {
  if (group.mode == Mode::Settled) {
    lua_createtable(L, 0, 2);
    lua_pushboolean(L, ok);
    lua_setfield(L, -2, "ok");
    lua_insert(L, -2);
    lua_setfield(L, -2, ok ? "value" : "error");
  } else if (!ok) {
    if (group.failing) {  // the first failure is the one raised
      lua_pop(L, 1);
      return;
    }
    group.failing = true;
    lua_rawseti(L, kResultsSlot, 0);  // slot 0: the failure
    return;
  }
  lua_rawseti(L, kResultsSlot, static_cast<lua_Integer>(i + 1));
}

void start_branch(lua_State* L, Group& group, size_t i) {
  Branch& branch = *group.branches[i];
  branch.co = lua_newthread(L);  // inherits the run's budget hook from L
  lua_rawseti(L, kThreadsSlot, static_cast<lua_Integer>(i + 1));
  set_run_link(branch.co, &branch.link);
  if (lua_isfunction(L, 3)) {  // ctx:map(items, fn): fn(item, i)
    lua_pushvalue(L, 3);
    lua_rawgeti(L, 2, static_cast<lua_Integer>(i + 1));
    lua_pushinteger(L, static_cast<lua_Integer>(i + 1));
    lua_xmove(L, branch.co, 3);
    branch.resume_args = 2;
  } else {
    lua_rawgeti(L, 2, static_cast<lua_Integer>(i + 1));
    lua_xmove(L, branch.co, 1);
    branch.resume_args = 0;
  }
  branch.state = Branch::State::Ready;
  ++group.started;
}

// Resumes one ready branch until it blocks or ends, and files what it did.
void resume_branch(lua_State* L, Group& group, size_t i) {
  Branch& branch = *group.branches[i];
  RunContext& rc = *group.rc;
  int nresults = 0;
  int args = branch.resume_args;
  branch.resume_args = 0;
  rc.op = std::move(branch.op);  // a step's continuation reads its committed event here
  int status = lua_resume(branch.co, L, args, &nresults);
  if (status == LUA_OK) {
    if (nresults == 0) lua_pushnil(branch.co);
    lua_xmove(branch.co, L, 1);
    lua_settop(branch.co, 0);
    branch.state = Branch::State::Done;
    settle(L, group, i, true);
    return;
  }
  if (status != LUA_YIELD) {
    if (group.mode == Mode::Settled)
      push_error_json(L, error_value_to_json(branch.co, -1));
    else
      lua_xmove(branch.co, L, 1);
    lua_settop(branch.co, 0);
    branch.state = Branch::State::Done;
    settle(L, group, i, false);
    return;
  }
  lua_pop(branch.co, nresults);
  branch.op = std::move(rc.op);
  rc.op = PendingOp{};
  switch (branch.op.kind) {
    case PendingOp::Kind::None:
      lua_pushliteral(L, "coroutine.yield is not allowed in a branch of ctx:all");
      branch.state = Branch::State::Done;
      settle(L, group, i, false);
      return;
    case PendingOp::Kind::Async:
      branch.state = Branch::State::Async;
      return;
    case PendingOp::Kind::Park:
      branch.state = Branch::State::Parked;
      return;
    case PendingOp::Kind::StepDone:
      if (branch.op.event.status == engine::EventStatus::Retrying) {  // park this branch only
        int64_t wake_at = branch.op.event.fire_at;
        buffer_event(rc, branch.op.event);
        request_park(rc, engine::RunStatus::Sleeping, wake_at);
        branch.op = std::move(rc.op);
        rc.op = PendingOp{};
        branch.state = Branch::State::Parked;
        return;
      }
      branch.state = Branch::State::Committing;
      return;
    case PendingOp::Kind::Commit:
      branch.state = Branch::State::Committing;
      return;
  }
}

// The branch of `group` that `target` (a waiting coroutine) belongs to.
Branch* branch_holding(Group& group, RunLink* target) {
  auto& live = group.rc->live_links;
  for (RunLink* link = target; link && live.count(link); link = link->parent)
    for (auto& branch : group.branches)
      if (&branch->link == link) return branch.get();
  return nullptr;
}

// Merges the parked branches' waits into one park of the run.
void request_group_park(Group& group) {
  int64_t wake_at = 0;
  bool waiting = false;
  std::vector<std::string> events;
  for (const auto& branch : group.branches) {
    if (branch->state != Branch::State::Parked) continue;
    const PendingOp& op = branch->op;
    if (op.wake_at > 0 && (wake_at == 0 || op.wake_at < wake_at)) wake_at = op.wake_at;
    if (op.park_status == engine::RunStatus::Waiting) waiting = true;
    events.insert(events.end(), op.await_events.begin(), op.await_events.end());
  }
  // Waiting, not sleeping, when any branch waits for an event: delivering
  // one wakes a waiting run at once; a wake time still wakes it too.
  request_park(*group.rc, waiting ? engine::RunStatus::Waiting : engine::RunStatus::Sleeping,
               wake_at, std::move(events));
}

int pump_k(lua_State* L, int status, lua_KContext);

// Runs branches until none is ready, then returns the group's outcome or
// yields for what the branches wait for.
int pump(lua_State* L) {
  Group& group = group_at(L);
  RunContext& rc = *group.rc;
  for (;;) {
    bool progressed = false;
    while (!group.failing && group.started < group.branches.size() &&
           group.running() < group.concurrency) {
      start_branch(L, group, group.started);
      progressed = true;
    }
    for (size_t i = 0; i < group.branches.size(); ++i) {
      Branch& branch = *group.branches[i];
      if (branch.state != Branch::State::Ready) continue;
      if (group.failing && branch.op.kind != PendingOp::Kind::Async) {
        branch.state = Branch::State::Abandoned;  // its next durable call would start after the failure
        continue;
      }
      resume_branch(L, group, i);
      progressed = true;
    }
    if (!progressed) break;
  }

  std::vector<engine::HistoryEvent> events;
  bool async = false;
  for (auto& branch : group.branches) {
    if (branch->state == Branch::State::Committing) {
      if (branch->op.kind == PendingOp::Kind::StepDone)
        events.push_back(branch->op.event);
      else
        events.insert(events.end(), branch->op.events.begin(), branch->op.events.end());
    }
    if (branch->state == Branch::State::Async) async = true;
  }
  if (!events.empty()) {
    rc.op = PendingOp{};
    rc.op.kind = PendingOp::Kind::Commit;
    rc.op.events = std::move(events);
    return kYield;
  }
  if (async) {
    rc.op = PendingOp{};
    rc.op.kind = PendingOp::Kind::Async;
    return kYield;
  }
  bool parked = false;
  for (auto& branch : group.branches) {
    if (branch->state != Branch::State::Parked) continue;
    if (group.failing)
      branch->state = Branch::State::Abandoned;
    else
      parked = true;
  }
  if (parked) {
    request_group_park(group);
    return kYield;
  }
  group.end();
  if (group.failing) {
    lua_rawgeti(L, kResultsSlot, 0);
    return kRaise;
  }
  lua_pushvalue(L, kResultsSlot);
  return 1;
}

// After the executor answered the group's yield: committed events, or an
// asynchronous completion for one branch.
int continue_group(lua_State* L) {
  Group& group = group_at(L);
  RunContext& rc = *group.rc;
  if (rc.async_target) {
    RunLink* target = rc.async_target;
    Branch* branch = branch_holding(group, target);
    if (branch && branch->state == Branch::State::Async) {
      branch->state = Branch::State::Ready;
      branch->op = PendingOp{};
      branch->op.kind = PendingOp::Kind::Async;  // resumed even when failing: it is inside a step
      if (&branch->link != target) branch->op.kind = PendingOp::Kind::Commit;
    }
  } else {
    for (auto& branch : group.branches)
      if (branch->state == Branch::State::Committing) branch->state = Branch::State::Ready;
  }
  return pump(L);
}

int pump_k(lua_State* L, int, lua_KContext) {
  return finish_call(L, guarded(L, [](lua_State* L) { return continue_group(L); }), pump_k);
}

size_t count_arg(lua_State* L, int index, const char* what) {
  if (!lua_istable(L, index)) throw ArgError(index, std::string(what) + " (table) expected");
  lua_Integer n = luaL_len(L, index);
  return static_cast<size_t>(n < 0 ? 0 : n);
}

// Checks the call and sets up the group at kGroupSlot..kResultsSlot.
int begin(lua_State* L, Mode mode, bool map) {
  const char* fn = map ? "map" : mode == Mode::All ? "all" : "all_settled";
  RunContext& rc = durable_caller(L, fn);
  size_t count = count_arg(L, 2, map ? "items" : "branch functions");
  size_t concurrency = count;
  if (map) {
    if (!lua_isfunction(L, 3)) throw ArgError(3, "function expected");
    if (lua_istable(L, 4)) {
      lua_getfield(L, 4, "concurrency");
      if (!lua_isnil(L, -1)) {
        lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        if (n < 1) throw ArgError(4, "concurrency: expected an integer >= 1");
        concurrency = std::min(count, static_cast<size_t>(n));
      }
      lua_pop(L, 1);
    }
  } else {
    for (size_t i = 1; i <= count; ++i) {
      if (lua_rawgeti(L, 2, static_cast<lua_Integer>(i)) != LUA_TFUNCTION)
        throw ArgError(2, "branch " + std::to_string(i) + ": function expected");
      lua_pop(L, 1);
    }
  }
  if (must_stop(L, rc)) return kRaise;
  if (static_cast<int64_t>(count) > rc.spec.branches_limit)
    throw std::runtime_error("ctx:" + std::string(fn) + ": " + std::to_string(count) +
                             " branches, more than the limit of " +
                             std::to_string(rc.spec.branches_limit) + " (budget.branches)");
  if (rc.live_branches + static_cast<int64_t>(count) > rc.spec.concurrent_branches_limit)
    throw std::runtime_error("ctx:" + std::string(fn) + ": more than " +
                             std::to_string(rc.spec.concurrent_branches_limit) +
                             " branches alive in this run (budget.concurrent_branches)");

  RunLink& caller = *run_link(L);
  std::string path = caller.path_prefix + std::to_string(++caller.calls);
  lua_settop(L, 4);
  auto** slot = static_cast<Group**>(lua_newuserdatauv(L, sizeof(Group*), 0));
  *slot = nullptr;
  if (luaL_newmetatable(L, kGroupMeta)) {
    lua_pushcfunction(L, collect_group);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  auto group = std::make_unique<Group>();
  group->mode = mode;
  group->rc = &rc;
  group->concurrency = concurrency;
  for (size_t i = 0; i < count; ++i) {
    auto branch = std::make_unique<Branch>();
    branch->link.run = &rc;
    branch->link.parent = &caller;
    branch->link.path_prefix = path + "/" + std::to_string(i + 1) + "/";
    rc.live_links.insert(&branch->link);
    group->branches.push_back(std::move(branch));
  }
  rc.live_branches += static_cast<int64_t>(count);
  *slot = group.release();
  lua_createtable(L, static_cast<int>(count), 0);
  lua_createtable(L, static_cast<int>(count), 0);
  return pump(L);
}

int entry(lua_State* L, Mode mode, bool map) {
  return finish_call(L, guarded(L, [mode, map](lua_State* L) { return begin(L, mode, map); }),
                     pump_k);
}

}  // namespace

int ctx_all(lua_State* L) { return entry(L, Mode::All, false); }
int ctx_all_settled(lua_State* L) { return entry(L, Mode::Settled, false); }
int ctx_map(lua_State* L) { return entry(L, Mode::All, true); }

}  // namespace weft::dsl
