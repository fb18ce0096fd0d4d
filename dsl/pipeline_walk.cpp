// The generic part of the walk over pipeline entries (see pipeline_walk.hpp):
// lists, kind detection, unknown keys, edges and the shared field readers.
#include "dsl/pipeline_walk.hpp"

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "dsl/lua_duration.hpp"
#include "dsl/lua_json.hpp"
#include "engine/retry_policy.hpp"

namespace weft::dsl {
namespace {

using nlohmann::json;

// The state key holding the run's input.
constexpr const char* kInputKey = "input";

std::string number_text(lua_Number n) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(n));
  return text;
}

}  // namespace

int raw_field(lua_State* L, int table, const char* key) {
  lua_pushstring(L, key);
  return lua_rawget(L, table);
}

PipelineWalk::PipelineWalk(lua_State* L, int decl) : L_(L) {
  if (raw_field(L, decl, "name") != LUA_TSTRING)
    throw std::runtime_error("pipeline: field 'name' (string) expected");
  prefix_ = "pipeline '" + std::string(lua_tostring(L, -1)) + "': ";
  lua_pop(L, 1);
}

json PipelineWalk::graph(int decl) {
  int top = lua_gettop(L_);
  nodes_.push_back({{"id", "start"}, {"kind", "start"}, {"label", "start"}});
  if (raw_field(L_, decl, "steps") != LUA_TTABLE)
    throw std::runtime_error(prefix_ + "field 'steps' (a non-empty list of entries) expected");
  Exits exits = list(lua_gettop(L_), "steps", "", {{"start", ""}});
  json end = {{"id", "end"}, {"kind", "end"}, {"label", "end"}};
  if (raw_field(L_, decl, "result") != LUA_TNIL) {
    end["result"] = function_label("the function", "result");
    end["label"] = "result: " + end["result"].get<std::string>();
  }
  nodes_.push_back(std::move(end));
  link(exits, "end");
  lua_settop(L_, top);
  return {{"nodes", std::move(nodes_)}, {"edges", std::move(edges_)}};
}

void PipelineWalk::fail(const Entry& e, const std::string& message) const {
  throw std::runtime_error(prefix_ + e.where + (e.label.empty() ? "" : " " + e.label) + ": " + message);
}

void PipelineWalk::link(const Exits& from, const std::string& to) {
  for (const auto& [id, label] : from) {
    json edge = {{"from", id}, {"to", to}};
    if (!label.empty()) edge["label"] = label;
    edges_.push_back(std::move(edge));
  }
}

PipelineWalk::Exits PipelineWalk::list(int steps, const std::string& where,
                                       const std::string& id_prefix, Exits from) {
  lua_pushnil(L_);
  while (lua_next(L_, steps)) {
    bool item = lua_isinteger(L_, -2) && lua_tointeger(L_, -2) >= 1 &&
                lua_tointeger(L_, -2) <= static_cast<lua_Integer>(lua_rawlen(L_, steps));
    if (!item)
      throw std::runtime_error(prefix_ + where + ": expected a list of entries, found key " +
                               key_text(-2));
    lua_pop(L_, 1);
  }
  auto count = static_cast<lua_Integer>(lua_rawlen(L_, steps));
  if (count == 0)
    throw std::runtime_error(prefix_ + where + ": expected a non-empty list of entries");
  for (lua_Integer i = 1; i <= count; ++i) {
    int top = lua_gettop(L_);
    Entry e;
    e.where = where + "[" + std::to_string(i) + "]";
    e.node["id"] = id_prefix + std::to_string(i);
    if (lua_rawgeti(L_, steps, i) != LUA_TTABLE) fail(e, "expected an entry (a table)");
    e.index = lua_gettop(L_);
    from = entry(e, std::move(from));
    lua_settop(L_, top);
  }
  return from;
}

PipelineWalk::Exits PipelineWalk::entry(Entry& e, Exits from) {
  const Kind& kind = kind_of(e);
  e.node["kind"] = kind.key[0] ? kind.key : "step";
  lua_pushnil(L_);
  while (lua_next(L_, e.index)) {
    bool known = lua_type(L_, -2) == LUA_TSTRING && kind.keys.count(lua_tostring(L_, -2));
    bool positional = !kind.key[0] && lua_isinteger(L_, -2) &&
                      (lua_tointeger(L_, -2) == 1 || lua_tointeger(L_, -2) == 2);
    if (!known && !positional) fail(e, "unknown key " + key_text(-2));
    lua_pop(L_, 1);
  }
  std::string id = e.node["id"];
  Exits next = {{id, ""}};
  size_t at = nodes_.size();  // the node goes before the nodes nested in it
  nodes_.push_back(json());
  link(from, id);
  (this->*kind.read)(e, next);
  nodes_[at] = std::move(e.node);
  return next;
}

const PipelineWalk::Kind& PipelineWalk::kind_of(Entry& e) {
  if (lua_rawgeti(L_, e.index, 1) == LUA_TSTRING) {
    std::string name = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    e.label = "'" + name + "'";
    if (name.empty()) fail(e, "the step name must not be empty");
    return kinds().front();
  }
  lua_pop(L_, 1);
  const Kind* found = nullptr;
  for (const auto& kind : kinds()) {
    if (!kind.key[0] || raw_field(L_, e.index, kind.key) == LUA_TNIL) {
      if (kind.key[0]) lua_pop(L_, 1);
      continue;
    }
    lua_pop(L_, 1);
    if (found)
      fail(e, std::string("an entry has one kind, found both '") + found->key + "' and '" +
                  kind.key + "'");
    found = &kind;
  }
  if (!found)
    fail(e, "expected { \"name\", fn, ... } or an entry with sleep, wait_event, child, when,"
            " parallel or map");
  e.label = std::string("(") + found->key + ")";
  return *found;
}

// A quoted key for messages: 'retyr' or [3].
std::string PipelineWalk::key_text(int index) const {
  if (lua_type(L_, index) == LUA_TSTRING) return "'" + std::string(lua_tostring(L_, index)) + "'";
  if (lua_isinteger(L_, index)) return "[" + std::to_string(lua_tointeger(L_, index)) + "]";
  return std::string("of type ") + luaL_typename(L_, index);
}

// The function on top of the stack (popped): a Lua function, or a
// "module.function" string resolved by pipeline.lua; its label.
std::string PipelineWalk::function_label(const std::string& what, const std::string& where) {
  std::string label;
  if (lua_type(L_, -1) == LUA_TSTRING) {
    label = lua_tostring(L_, -1);
    auto dot = label.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == label.size()) label.clear();
  } else if (lua_type(L_, -1) == LUA_TFUNCTION) {
    lua_Debug ar;
    lua_pushvalue(L_, -1);
    lua_getinfo(L_, ">S", &ar);
    label = ar.linedefined > 0 ? "function (line " + std::to_string(ar.linedefined) + ")"
                               : "function";
  }
  lua_pop(L_, 1);
  if (label.empty())
    throw std::runtime_error(prefix_ + where + ": " + what +
                             " must be a function or a \"module.function\" string");
  return label;
}

// The duration on top of the stack (popped), as written.
std::string PipelineWalk::duration(Entry& e, const char* key) {
  std::optional<int64_t> ms = to_duration_ms(L_, -1);
  std::string text = lua_type(L_, -1) == LUA_TSTRING ? lua_tostring(L_, -1)
                     : lua_type(L_, -1) == LUA_TNUMBER ? number_text(lua_tonumber(L_, -1)) + "s"
                                                       : luaL_typename(L_, -1);
  lua_pop(L_, 1);
  if (!ms || *ms < 0)
    fail(e, std::string(key) + ": bad duration '" + text +
                "' (expected seconds or a duration like \"10m\")");
  return text;
}

std::string PipelineWalk::name_field(Entry& e, const char* key) {
  if (lua_type(L_, -1) != LUA_TSTRING || lua_rawlen(L_, -1) == 0)
    fail(e, std::string(key) + ": expected a non-empty string");
  std::string name = lua_tostring(L_, -1);
  lua_pop(L_, 1);
  return name;
}

// Records that the entry sets state[key]; a name used twice is refused.
void PipelineWalk::claims(Entry& e, const std::string& key) {
  if (key == kInputKey) fail(e, "the name 'input' is reserved (state.input is the run's input)");
  auto [it, fresh] = state_keys_.emplace(key, e.where);
  if (!fresh) fail(e, "duplicate name '" + key + "' (also " + it->second + ")");
}

void PipelineWalk::retry(Entry& e, const char* key) {
  if (raw_field(L_, e.index, key) == LUA_TNIL) {
    lua_pop(L_, 1);
    return;
  }
  try {
    json policy = lua_to_json(L_, -1, key);
    engine::parse_retry_policy(policy, {});
    e.node[key] = std::move(policy);
  } catch (const std::exception& error) {
    // parse_retry_policy names the field "retry.attempts"
    fail(e, (std::string(key) == "retry" ? "" : "undo_") + std::string(error.what()));
  }
  lua_pop(L_, 1);
}

}  // namespace weft::dsl
