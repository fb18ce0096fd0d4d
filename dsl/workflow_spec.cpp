// Reading workflow declarations (see workflow_spec.hpp).
#include "dsl/workflow_spec.hpp"

#include <stdexcept>

#include "dsl/budget.hpp"
#include "dsl/chunk_cache.hpp"
#include "dsl/environment.hpp"
#include "dsl/lua_duration.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/pipeline_spec.hpp"
#include "dsl/version_modules.hpp"
#include "dsl/webhook_trigger.hpp"
#include "engine/duration.hpp"

namespace weft::dsl {
namespace {

constexpr const char* kDeclarationMeta = "weft.workflow";
// Registry flag: set while push_declaration runs a file that load_workflow
// has already checked, so weft.workflow { ... } does not check it again.
constexpr const char* kRecheckingKey = "weft.declaration_checked";
// A workflow file's top level is bounded like a resume.
constexpr int64_t kLoadInstructions = 50'000'000;
constexpr std::chrono::milliseconds kLoadWallTime{30'000};

int64_t read_duration(lua_State* L, int index, const char* field) {
  if (auto ms = to_duration_ms(L, index)) return *ms;
  throw std::runtime_error(std::string(field) + ": expected seconds or a duration like \"1h\"");
}

// budget.<field> of the budget table on top of the stack, an integer >= min.
void read_count(lua_State* L, const char* field, int64_t min, int64_t& out) {
  if (lua_getfield(L, -1, field) != LUA_TNIL) {
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < min)
      throw std::runtime_error(std::string("budget.") + field + ": expected an integer >= " +
                               std::to_string(min));
    out = lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
}

int64_t read_size(lua_State* L, int index, const char* field) {
  try {
    if (lua_type(L, index) == LUA_TNUMBER) return static_cast<int64_t>(lua_tonumber(L, index));
    if (lua_type(L, index) == LUA_TSTRING) return engine::parse_size_bytes(lua_tostring(L, index));
  } catch (const std::invalid_argument&) {
  }
  throw std::runtime_error(std::string(field) + ": expected bytes or a size like \"64MB\"");
}

// Data parts of the declaration (everything but functions), for listings.
// A pipeline's steps are drawn by its graph instead.
nlohmann::json declaration_data(lua_State* L, int index) {
  nlohmann::json out = nlohmann::json::object();
  bool pipeline = is_pipeline(L, index);
  lua_pushnil(L);
  while (lua_next(L, index)) {
    bool steps = pipeline && lua_type(L, -2) == LUA_TSTRING &&
                 std::string_view(lua_tostring(L, -2)) == "steps";
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) != LUA_TFUNCTION && !steps) {
      int top = lua_gettop(L);
      try {
        out[lua_tostring(L, -2)] = lua_to_json(L, -1, lua_tostring(L, -2));
      } catch (const std::runtime_error&) {
        // parts holding functions (triggers with callbacks) are not data;
        // the conversion may have stopped midway with values pushed
        lua_settop(L, top);
      }
    }
    lua_pop(L, 1);
  }
  return out;
}

// `concurrency = { limit = N, key = "input.path", count_parked = true }`:
// at most N runs in progress per value of the key (a queue per key).
void read_concurrency(lua_State* L, int index, WorkflowSpec& spec) {
  int type = lua_getfield(L, index, "concurrency");
  if (type == LUA_TNIL) return lua_pop(L, 1);
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("workflow '" + spec.name + "': concurrency: " + what);
  };
  if (type != LUA_TTABLE) fail("expected { limit = N, key = \"tenant\" }");
  if (lua_getfield(L, -1, "limit") != LUA_TNUMBER || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
      lua_tointeger(L, -1) > 100'000)
    fail("limit: expected an integer from 1 to 100000");
  spec.queue.concurrency = lua_tointeger(L, -1);
  int key = lua_getfield(L, -2, "key");
  if (key == LUA_TFUNCTION)
    fail("key: a function is not supported yet; give a path into the input, such as \"tenant\" or \"record.id\"");
  size_t length = 0;
  const char* path = key == LUA_TSTRING ? lua_tolstring(L, -1, &length) : nullptr;
  if (!path || length == 0 || length > 200 || path[0] == '.' || path[length - 1] == '.' ||
      std::string_view(path, length).find("..") != std::string_view::npos)
    fail("key: expected a path into the input, such as \"tenant\" or \"record.id\"");
  spec.queue.key_path.assign(path, length);
  int parked = lua_getfield(L, -3, "count_parked");
  if (parked != LUA_TNIL && parked != LUA_TBOOLEAN) fail("count_parked: expected a boolean");
  spec.queue.count_parked = parked == LUA_TNIL || lua_toboolean(L, -1);
  for (lua_pushnil(L); lua_next(L, -5); lua_pop(L, 1)) {
    std::string field = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    if (field != "limit" && field != "key" && field != "count_parked") fail("unknown field '" + field + "'");
  }
  lua_pop(L, 4);
  spec.queue.name = spec.name + "#";
  spec.queue.workflow = spec.name;
}

// The weft.queue trigger on top of the stack (weft.queue checked its fields).
void read_queue(lua_State* L, WorkflowSpec& spec) {
  if (!spec.queue.key_path.empty())
    throw std::runtime_error("workflow '" + spec.name + "': a weft.queue and a per-key concurrency cannot go together");
  if (!spec.queue.name.empty())
    throw std::runtime_error("workflow '" + spec.name + "': on: a workflow goes through one queue at most");
  lua_getfield(L, -1, "name");
  lua_getfield(L, -2, "concurrency");
  lua_getfield(L, -3, "count_parked");
  spec.queue.name = lua_isstring(L, -3) ? lua_tostring(L, -3) : "";
  spec.queue.concurrency = lua_tointeger(L, -2);
  spec.queue.count_parked = lua_toboolean(L, -1);
  spec.queue.workflow = spec.name;
  lua_pop(L, 3);
  try {
    engine::validate_queue(spec.queue);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("workflow '" + spec.name + "': " + e.what());
  }
}

// The weft.webhook trigger on top of the stack, item `index` of `on`.
void read_webhook(lua_State* L, WorkflowSpec& spec, int index) {
  engine::WebhookSpec webhook;
  try {
    webhook = read_webhook_trigger(L, -1);
  } catch (const std::exception& e) {
    throw std::runtime_error("workflow '" + spec.name + "': on[" + std::to_string(index) + "]: " + e.what());
  }
  webhook.trigger_index = index;
  for (const auto& other : spec.webhooks)
    if (other.path == webhook.path)
      throw std::runtime_error(webhook.where + ": webhook path " + webhook.path + " is declared twice");
  spec.webhooks.push_back(std::move(webhook));
}

}  // namespace

WorkflowSpec read_workflow_spec(lua_State* L, int index) {
  index = lua_absindex(L, index);
  WorkflowSpec spec;
  if (lua_getfield(L, index, "name") != LUA_TSTRING)
    throw std::runtime_error("workflow: field 'name' (string) expected");
  spec.name = lua_tostring(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, index, "run") != LUA_TFUNCTION)
    throw std::runtime_error("workflow '" + spec.name + "': field 'run' (function) expected");
  lua_pop(L, 1);
  if (lua_getfield(L, index, "retry") != LUA_TNIL) {
    try {
      spec.retry = engine::parse_retry_policy(lua_to_json(L, -1, "retry"), spec.retry);
    } catch (const std::exception& e) {
      throw std::runtime_error("workflow '" + spec.name + "': " + e.what());
    }
  }
  lua_pop(L, 1);
  if (lua_getfield(L, index, "timeout") != LUA_TNIL) spec.timeout_ms = read_duration(L, -1, "timeout");
  lua_pop(L, 1);
  if (lua_getfield(L, index, "budget") == LUA_TTABLE) {
    if (lua_getfield(L, -1, "instructions") != LUA_TNIL) {
      if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1000)
        throw std::runtime_error("budget.instructions: expected an integer >= 1000");
      spec.instruction_budget = lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, -1, "memory") != LUA_TNIL)
      spec.memory_limit = read_size(L, -1, "budget.memory");
    lua_pop(L, 1);
    if (lua_getfield(L, -1, "wall") != LUA_TNIL) {
      spec.wall_limit_ms = read_duration(L, -1, "budget.wall");
      if (spec.wall_limit_ms < 1)
        throw std::runtime_error("budget.wall: expected a duration of at least 1ms");
    }
    lua_pop(L, 1);
    read_count(L, "history", 1, spec.history_limit);
    read_count(L, "child_depth", 0, spec.child_depth_limit);
    read_count(L, "children", 0, spec.children_limit);
    read_count(L, "branches", 1, spec.branches_limit);
    read_count(L, "concurrent_branches", 1, spec.concurrent_branches_limit);
  } else if (!lua_isnil(L, -1)) {
    throw std::runtime_error(
        "budget: expected a table { instructions = N, memory = \"64MB\", wall = \"30s\","
        " history = N, child_depth = N, children = N, branches = N, concurrent_branches = N }");
  }
  lua_pop(L, 1);
  if (lua_getfield(L, index, "on_failure") != LUA_TNIL) {
    size_t length = 0;
    const char* name = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &length) : nullptr;
    if (name == nullptr || length == 0 || length > 200)
      throw std::runtime_error("workflow '" + spec.name + "': on_failure: expected a workflow name");
    spec.on_failure.assign(name, length);
  }
  lua_pop(L, 1);
  lua_getfield(L, index, "secrets");
  try {
    spec.secrets = read_secret_grants(L, -1);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("workflow '" + spec.name + "': " + e.what());
  }
  lua_pop(L, 1);
  if (lua_getfield(L, index, "limits") == LUA_TTABLE) {
    nlohmann::json limits = lua_to_json(L, -1, "limits");
    for (const auto& [key, limit] : limits.items()) {
      try {
        spec.limits.emplace_back(key, engine::parse_limit_spec(key, limit));
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error("workflow '" + spec.name + "': " + e.what());
      }
    }
  } else if (!lua_isnil(L, -1)) {
    throw std::runtime_error("limits: expected a table { name = { rate = N, per = \"1m\" } }");
  }
  lua_pop(L, 1);
  read_concurrency(L, index, spec);
  if (lua_getfield(L, index, "on") == LUA_TTABLE) {
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; ++i) {
      lua_getfield(L, -1, "trigger");
      std::string trigger = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
      lua_pop(L, 1);
      bool is_cron = trigger == "cron";
      if (trigger == "webhook") read_webhook(L, spec, static_cast<int>(i));
      if (trigger == "queue") read_queue(L, spec);
      if (is_cron) {
        engine::ScheduleSpec schedule;
        auto text = [&](const char* key, std::string& out) {
          lua_getfield(L, -1, key);
          if (lua_isstring(L, -1)) out = lua_tostring(L, -1);
          lua_pop(L, 1);
        };
        text("expr", schedule.expr);
        text("zone", schedule.zone);
        text("overlap", schedule.overlap);
        text("catch_up", schedule.catch_up);
        lua_getfield(L, -1, "catch_up_window_ms");
        if (lua_isinteger(L, -1)) schedule.catch_up_window_ms = lua_tointeger(L, -1);
        lua_pop(L, 1);
        spec.schedules.push_back(std::move(schedule));
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  } else if (!lua_isnil(L, -1)) {
    throw std::runtime_error("workflow '" + spec.name + "': on: expected a list of triggers");
  }
  lua_pop(L, 1);
  spec.declaration = declaration_data(L, index);
  if (is_pipeline(L, index)) {
    spec.graph = pipeline_graph(L, index);
    spec.pipeline_location = pipeline_location(L, index);
  }
  return spec;
}

bool declaration_checked(lua_State* L) {
  bool checked = lua_getfield(L, LUA_REGISTRYINDEX, kRecheckingKey) == LUA_TBOOLEAN && lua_toboolean(L, -1);
  lua_pop(L, 1);
  return checked;
}

namespace {
void mark_declaration_checked(lua_State* L, bool checked) {
  lua_pushboolean(L, checked);
  lua_setfield(L, LUA_REGISTRYINDEX, kRecheckingKey);
}

// Runs the file in the environment at `env`; `checked`: it passed
// read_workflow_spec before (see declaration_checked).
bool run_declaration(lua_State* L, int env, const std::string& key, std::string_view source,
                     const std::string& chunkname, bool checked) {
  env = lua_absindex(L, env);
  int top = lua_gettop(L);
  push_chunk(L, key, source, chunkname, env);
  bool was_checked = declaration_checked(L);
  mark_declaration_checked(L, checked);
  int status = lua_pcall(L, 0, 1, 0);
  mark_declaration_checked(L, was_checked);
  if (status != LUA_OK) {
    std::string message = luaL_tolstring(L, -1, nullptr);
    lua_settop(L, top);
    throw std::runtime_error(message);
  }
  bool is_workflow = false;
  if (lua_istable(L, -1) && lua_getmetatable(L, -1)) {
    luaL_getmetatable(L, kDeclarationMeta);
    is_workflow = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  if (!is_workflow) lua_settop(L, top);
  return is_workflow;
}
}  // namespace

bool push_declaration(lua_State* L, int env, const std::string& key, std::string_view source,
                      const std::string& chunkname) {
  return run_declaration(L, env, key, source, chunkname, true);
}

namespace {
std::optional<WorkflowSpec> load_in_environment(lua_State* L, const std::string& source,
                                                const std::string& chunkname, const std::string& key,
                                                const std::string& version) {
  int top = lua_gettop(L);
  Budget budget;
  budget.instruction_limit = kLoadInstructions;
  budget.wall_limit = kLoadWallTime;
  {
    ActiveBudget active(L, budget);
    push_environment(L);
    if (!version.empty()) bind_to_version(L, -1, version);
    bool is_workflow = run_declaration(L, -1, key, source, "@" + chunkname, false);
    lua_remove(L, is_workflow ? -2 : -1);  // the environment
    if (!is_workflow) return std::nullopt;
  }
  try {
    return read_workflow_spec(L, -1);
  } catch (const std::exception& e) {
    lua_settop(L, top);
    throw std::runtime_error(chunkname + ": " + e.what());
  }
}
}  // namespace

std::optional<WorkflowSpec> load_workflow(lua_State* L, const std::string& source,
                                          const std::string& chunkname) {
  return load_in_environment(L, source, chunkname, "file:" + chunkname, "");
}

std::optional<WorkflowSpec> load_version(lua_State* L, const engine::ScriptVersion& version) {
  if (!version_registered(L, version.hash)) register_version(L, version);
  return load_in_environment(L, version.entry_source(), version.entry, version.hash, version.hash);
}

}  // namespace weft::dsl
