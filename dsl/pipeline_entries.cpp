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
  };
  return table;
}

// Kinds the DSL reserves whose runtime is not there yet.
const std::map<std::string, std::string>& PipelineWalk::not_yet() {
  static const std::map<std::string, std::string> table = {
      {"parallel", "parallel entries need ctx:all, which is not available yet"},
      {"map", "map entries need ctx:map, which is not available yet"},
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

}  // namespace weft::dsl
