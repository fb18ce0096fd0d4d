// The pipeline entry kinds (see pipeline_walk.hpp): which keys each takes,
// how it is checked and what node it draws. Each kind's runner is in
// dsl/lua/weft/pipeline.lua.
#include "dsl/pipeline_walk.hpp"

#include <utility>

namespace weft::dsl {

// The entry kinds, in the order they are recognised. To add one: a row
// here, its reader below, and its runner in dsl/lua/weft/pipeline.lua.
const std::vector<PipelineWalk::Kind>& PipelineWalk::kinds() {
  static const std::vector<Kind> table = {
      {"", {"retry", "undo", "undo_retry", "optional"}, &PipelineWalk::step},
      {"sleep", {"sleep"}, &PipelineWalk::sleep},
      {"wait_event", {"wait_event", "timeout", "as"}, &PipelineWalk::wait_event},
      {"child", {"child", "input", "as"}, &PipelineWalk::child},
      {"when", {"when", "steps"}, &PipelineWalk::when},
      {"parallel", {"parallel"}, &PipelineWalk::parallel},
      {"map", {"map", "each", "concurrency", "as"}, &PipelineWalk::map},
  };
  return table;
}

void PipelineWalk::step(Entry& e, Exits&) {
  std::string name = e.label.substr(1, e.label.size() - 2);
  e.node["name"] = name;
  e.node["label"] = name;
  claims(e, name);
  if (lua_rawgeti(L_, e.index, 2) == LUA_TNIL)
    fail(e, "missing function (the second item: a function or a \"module.function\" string)");
  e.node["fn"] = function_label("the function", e.where + " " + e.label);
  retry(e, "retry");
  retry(e, "undo_retry");
  if (raw_field(L_, e.index, "undo") != LUA_TNIL)
    e.node["undo"] = function_label("undo", e.where + " " + e.label);
  else
    lua_pop(L_, 1);
  int optional = raw_field(L_, e.index, "optional");
  if (optional != LUA_TNIL && optional != LUA_TBOOLEAN) fail(e, "optional: expected true or false");
  if (lua_toboolean(L_, -1)) {
    e.node["optional"] = true;
    e.node["label"] = name + " (optional)";
  }
  lua_pop(L_, 1);
}

void PipelineWalk::sleep(Entry& e, Exits&) {
  raw_field(L_, e.index, "sleep");
  e.node["duration"] = duration(e, "sleep");
  e.node["label"] = "sleep " + e.node["duration"].get<std::string>();
}

void PipelineWalk::wait_event(Entry& e, Exits&) {
  raw_field(L_, e.index, "wait_event");
  std::string event = name_field(e, "wait_event");
  e.node["event"] = event;
  e.node["label"] = "wait_event " + event;
  if (raw_field(L_, e.index, "timeout") != LUA_TNIL) {
    e.node["timeout"] = duration(e, "timeout");
    e.node["label"] = e.node["label"].get<std::string>() + " (timeout " +
                      e.node["timeout"].get<std::string>() + ")";
  } else {
    lua_pop(L_, 1);
  }
  e.node["as"] = as_field(e, event);
}

void PipelineWalk::child(Entry& e, Exits&) {
  raw_field(L_, e.index, "child");
  std::string workflow = name_field(e, "child");
  e.node["workflow"] = workflow;
  e.node["label"] = "child " + workflow;
  if (raw_field(L_, e.index, "input") != LUA_TNIL)
    e.node["input"] = function_label("input", e.where + " " + e.label);
  else
    lua_pop(L_, 1);
  e.node["as"] = as_field(e, workflow);
}

// `as` (the state key the entry's value is stored under), default `fallback`.
std::string PipelineWalk::as_field(Entry& e, const std::string& fallback) {
  std::string as = fallback;
  if (raw_field(L_, e.index, "as") != LUA_TNIL)
    as = name_field(e, "as");
  else
    lua_pop(L_, 1);
  claims(e, as);
  return as;
}

void PipelineWalk::when(Entry& e, Exits& next) {
  raw_field(L_, e.index, "when");
  e.node["when"] = function_label("when", e.where + " " + e.label);
  e.node["label"] = "when " + e.node["when"].get<std::string>();
  if (raw_field(L_, e.index, "steps") != LUA_TTABLE)
    fail(e, "steps: expected a list of entries (run when the condition holds)");
  std::string id = e.node["id"];
  Exits inside = list(lua_gettop(L_), e.where + ".steps", id + ".", {{id, "yes"}});
  lua_pop(L_, 1);
  next = std::move(inside);
  next.emplace_back(id, "no");
}

// { parallel = { branch, branch, ... } }: each branch a list of entries,
// or one entry; they run as the branches of one ctx:all, on the one state
// (their names are the pipeline's, so no two branches set the same key).
void PipelineWalk::parallel(Entry& e, Exits& next) {
  int branches = lua_gettop(L_) + 1;
  if (raw_field(L_, e.index, "parallel") != LUA_TTABLE || lua_rawlen(L_, -1) == 0)
    fail(e, "parallel: expected a non-empty list of branches");
  std::string id = e.node["id"];
  e.node["label"] = "parallel";
  next.clear();
  auto count = static_cast<lua_Integer>(lua_rawlen(L_, branches));
  for (lua_Integer b = 1; b <= count; ++b) {
    std::string where = e.where + ".parallel[" + std::to_string(b) + "]";
    std::string branch_id = id + "." + std::to_string(b) + ".";
    if (lua_rawgeti(L_, branches, b) != LUA_TTABLE)
      throw std::runtime_error(prefix_ + where + ": expected a branch (an entry or a list of entries)");
    int branch = lua_gettop(L_);
    bool is_list = lua_rawgeti(L_, branch, 1) == LUA_TTABLE;
    lua_pop(L_, 1);
    Exits ends;
    if (is_list) {
      ends = list(branch, where, branch_id, {{id, std::to_string(b)}});
    } else {  // one entry: a list of one
      Entry single;
      single.where = where;
      single.index = branch;
      single.node["id"] = branch_id + "1";
      ends = entry(single, {{id, std::to_string(b)}});
    }
    next.insert(next.end(), ends.begin(), ends.end());
    lua_settop(L_, branches);
  }
  lua_pop(L_, 1);
}

// { map = "field", each = { ... }, concurrency = N, as = "key" }: the
// entries of `each` run once per item of state.field (a dotted path; a
// leading "state." is allowed), as the branches of one ctx:map, each item
// with a state of its own: input, item, index and its entries' results.
// The list of those states goes to state[as] (default "<field>_results").
void PipelineWalk::map(Entry& e, Exits& next) {
  raw_field(L_, e.index, "map");
  std::string field = name_field(e, "map");
  if (field.rfind("state.", 0) == 0) field = field.substr(6);
  for (size_t at = 0, dot; at <= field.size(); at = dot + 1) {
    dot = field.find('.', at);
    if (dot == std::string::npos) dot = field.size();
    if (dot == at) fail(e, "map: expected a state field like \"leads\" or \"input.leads\"");
  }
  e.node["field"] = field;
  std::string label = "map " + field;
  if (raw_field(L_, e.index, "concurrency") != LUA_TNIL) {
    if (!lua_isinteger(L_, -1) || lua_tointeger(L_, -1) < 1)
      fail(e, "concurrency: expected an integer >= 1");
    e.node["concurrency"] = lua_tointeger(L_, -1);
    label += " (concurrency " + std::to_string(lua_tointeger(L_, -1)) + ")";
  }
  lua_pop(L_, 1);
  e.node["label"] = label;
  std::string last = field.substr(field.rfind('.') == std::string::npos ? 0 : field.rfind('.') + 1);
  e.node["as"] = as_field(e, last + "_results");
  if (raw_field(L_, e.index, "each") != LUA_TTABLE)
    fail(e, "each: expected a list of entries (run for every item)");
  // Names inside `each` are keys of the item's state, not the pipeline's.
  std::map<std::string, std::string> item_keys = {{"item", e.where + " (the item)"},
                                                   {"index", e.where + " (the item's position)"}};
  auto outer = std::exchange(state_keys_, std::move(item_keys));
  std::string id = e.node["id"];
  next = list(lua_gettop(L_), e.where + ".each", id + ".", {{id, "each"}});
  state_keys_ = std::move(outer);
  lua_pop(L_, 1);
}

}  // namespace weft::dsl
