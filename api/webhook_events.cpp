// The pool of Lua states for webhook `event` functions (see webhook_events.hpp).
#include "api/webhook_events.hpp"

#include <map>

#include "dsl/lua_json.hpp"
#include "dsl/lua_state.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::api {
namespace {

constexpr int kHookEvery = 1000;  // instructions between budget checks

// The budget of the call running on this thread, and the state's main
// thread (where the call runs).
thread_local int64_t instructions_left = 0;
thread_local bool instructions_exceeded = false;
thread_local lua_State* call_thread = nullptr;

// Once the budget is spent the hook fires on every instruction of the
// call's thread (and of any coroutine it touches), so a pcall inside the
// mapping cannot swallow the error: the instruction after it raises again.
void budget_hook(lua_State* L, lua_Debug*) {
  instructions_left -= kHookEvery;
  if (instructions_left >= 0 && !instructions_exceeded) return;
  if (!instructions_exceeded) {
    instructions_exceeded = true;
    lua_sethook(call_thread, budget_hook, LUA_MASKCOUNT, 1);
    if (L != call_thread) lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  }
  luaL_error(L, "instruction limit exceeded");
}

// The message of an error value, without running any metamethod.
std::string error_text(lua_State* L, int index) {
  if (lua_type(L, index) == LUA_TSTRING) return lua_tostring(L, index);
  if (lua_istable(L, index)) {
    lua_pushstring(L, "message");
    lua_rawget(L, index);
    std::string message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);
    if (!message.empty()) return message;
  }
  return std::string("error object is a ") + luaL_typename(L, index) + " value";
}

// `req` as a Lua table, built straight from the request (no JSON copy of
// it first: that copy was a tenth of the HTTP thread's time per delivery).
void push_request(lua_State* L, const EventRequest& req) {
  luaL_checkstack(L, 4, "webhook request");
  lua_createtable(L, 0, 8);
  auto set_string = [L](const char* key, const std::string& value) {
    lua_pushlstring(L, value.data(), value.size());
    lua_setfield(L, -2, key);
  };
  auto set_strings = [L](const char* key, const std::map<std::string, std::string>& values) {
    lua_createtable(L, 0, static_cast<int>(values.size()));
    for (const auto& [name, value] : values) {
      lua_pushlstring(L, name.data(), name.size());
      lua_pushlstring(L, value.data(), value.size());
      lua_rawset(L, -3);
    }
    lua_setfield(L, -2, key);
  };
  set_string("method", req.request.method);
  set_string("path", req.target.path);
  set_strings("headers", req.request.headers);
  set_string("body", req.request.body);
  set_strings("query", req.target.query);
  set_string("remote", req.request.remote);
  if (req.body.json) {
    dsl::push_json(L, *req.body.json);
    lua_setfield(L, -2, "json");
  }
  if (req.body.form) {
    dsl::push_json(L, *req.body.form);
    lua_setfield(L, -2, "form");
  }
}

}  // namespace

struct WebhookEvents::Slot {
  explicit Slot(const std::string& workflows_dir) : state({workflows_dir}) {}
  dsl::LuaState state;
  std::map<std::string, int> declarations;  // script hash -> registry ref
};

WebhookEvents::WebhookEvents(engine::WorkflowCatalog& catalog, EventLimits limits)
    : catalog_(catalog), limits_(limits) {}

WebhookEvents::~WebhookEvents() = default;

std::unique_ptr<WebhookEvents::Slot> WebhookEvents::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return in_use_ < limits_.states; });
  ++in_use_;
  if (!idle_.empty()) {
    auto slot = std::move(idle_.back());
    idle_.pop_back();
    return slot;
  }
  lock.unlock();
  try {
    return std::make_unique<Slot>(catalog_.workflows_dir());
  } catch (...) {
    release(nullptr);
    throw;
  }
}

void WebhookEvents::release(std::unique_ptr<Slot> slot) {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (slot) idle_.push_back(std::move(slot));
  }
  available_.notify_one();
}

EventResult WebhookEvents::call(const engine::WebhookRoute& route, const EventRequest& req) {
  auto slot = acquire();
  EventResult result;
  try {
    result = run(*slot, route, req);
  } catch (const std::exception& e) {
    result = {EventResult::Kind::Failed, nullptr, e.what()};
  }
  bool healthy = result.kind == EventResult::Kind::Input || result.kind == EventResult::Kind::Ignored;
  release(healthy ? std::move(slot) : nullptr);
  return result;
}

EventResult WebhookEvents::run(Slot& slot, const engine::WebhookRoute& route, const EventRequest& req) {
  lua_State* L = slot.state.get();
  lua_settop(L, 0);
  auto loaded = slot.declarations.find(route.script.hash);
  if (loaded == slot.declarations.end()) {
    auto spec = dsl::load_workflow(L, catalog_.source(route.script.hash), route.script.path);
    if (!spec) throw std::runtime_error(route.script.path + ": no longer declares a workflow");
    loaded = slot.declarations.emplace(route.script.hash, luaL_ref(L, LUA_REGISTRYINDEX)).first;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, loaded->second);
  lua_getfield(L, 1, "on");
  lua_rawgeti(L, 2, route.spec.trigger_index);
  lua_getfield(L, 3, "event");
  lua_replace(L, 1);
  lua_settop(L, 1);
  if (!lua_isfunction(L, 1)) throw std::runtime_error("the webhook trigger has no event function");
  push_request(L, req);

  auto& memory = slot.state.memory();
  memory.exceeded = false;
  memory.resume_limit = memory.used + static_cast<size_t>(limits_.memory);
  instructions_left = limits_.instructions;
  instructions_exceeded = false;
  call_thread = L;
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, kHookEvery);
  int status = lua_pcall(L, 1, 1, 0);
  lua_sethook(L, nullptr, 0, 0);
  call_thread = nullptr;
  memory.resume_limit = 0;

  EventResult result;
  if (instructions_exceeded) {
    result = {EventResult::Kind::Failed, nullptr,
              "event: instruction limit exceeded (" + std::to_string(limits_.instructions) + ")"};
  } else if (memory.exceeded) {
    result = {EventResult::Kind::Failed, nullptr,
              "event: memory limit exceeded (" + std::to_string(limits_.memory >> 20) + " MiB)"};
  } else if (status != LUA_OK) {
    result = {EventResult::Kind::Rejected, nullptr, "event: " + error_text(L, -1)};
  } else if (lua_isnil(L, -1)) {
    result = {EventResult::Kind::Ignored, nullptr, ""};
  } else {
    try {
      result = {EventResult::Kind::Input, dsl::lua_to_json(L, -1, "event result"), ""};
    } catch (const std::exception& e) {
      result = {EventResult::Kind::Failed, nullptr, e.what()};
    }
  }
  lua_settop(L, 0);
  return result;
}

}  // namespace weft::api
