// The pool of Lua states for webhook `event` functions (see webhook_events.hpp).
#include "api/webhook_events.hpp"

#include <string_view>

#include "dsl/budget.hpp"
#include "dsl/chunk_cache.hpp"
#include "dsl/environment.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/lua_state.hpp"
#include "dsl/version_modules.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::api {
namespace {

// The protected body of an event call: (req, key, source, chunkname,
// trigger index) → the mapping's result. The workflow file runs in a fresh
// environment, then its trigger's event function gets req.
int event_entry(lua_State* L) {
  dsl::push_environment(L);  // 6
  dsl::bind_to_version(L, 6, lua_tostring(L, 2));
  bool found = dsl::guarded(L, [](lua_State* L) {
    size_t size = 0;
    const char* source = lua_tolstring(L, 3, &size);
    return dsl::push_declaration(L, 6, lua_tostring(L, 2), std::string_view(source, size),
                                 lua_tostring(L, 4))
               ? 1
               : 0;
  });
  if (!found) return luaL_error(L, "the workflow file no longer returns weft.workflow { ... }");
  lua_getfield(L, -1, "on");
  if (!lua_istable(L, -1)) return luaL_error(L, "the workflow no longer declares its webhook");
  lua_rawgeti(L, -1, lua_tointeger(L, 5));
  if (!lua_istable(L, -1)) return luaL_error(L, "the workflow no longer declares its webhook");
  lua_getfield(L, -1, "event");
  if (!lua_isfunction(L, -1)) return luaL_error(L, "the webhook trigger has no event function");
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
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
};

WebhookEvents::WebhookEvents(dsl::LuaWorkflowCatalog& catalog, EventLimits limits)
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

// Each call runs the workflow file again in a fresh environment (compiled
// once per state), so a mapping sees nothing an earlier call, another
// route or a run did; file and mapping share one budget.
EventResult WebhookEvents::run(Slot& slot, const engine::WebhookRoute& route, const EventRequest& req) {
  lua_State* L = slot.state.get();
  lua_settop(L, 0);
  auto& memory = slot.state.memory();
  memory.exceeded = false;
  memory.resume_limit = memory.used + static_cast<size_t>(limits_.memory);
  dsl::Budget budget;
  budget.instruction_limit = limits_.instructions;
  budget.wall_limit = limits_.wall;
  lua_pushcfunction(L, event_entry);
  push_request(L, req);
  lua_pushstring(L, route.script.hash.c_str());
  if (dsl::chunk_cached(L, route.script.hash)) {
    lua_pushliteral(L, "");
  } else {
    engine::ScriptVersion version = catalog_.version(route.script.hash);
    if (!dsl::version_registered(L, version.hash)) dsl::register_version(L, version);
    lua_pushlstring(L, version.entry_source().data(), version.entry_source().size());
  }
  lua_pushstring(L, ("@" + route.script.path).c_str());
  lua_pushinteger(L, route.spec.trigger_index);
  int status = LUA_OK;
  {
    dsl::ActiveBudget active(L, budget);
    status = lua_pcall(L, 5, 1, 0);
  }
  EventResult result;
  if (budget.exceeded) {
    result = {EventResult::Kind::Failed, nullptr, "event: " + budget.reason};
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
