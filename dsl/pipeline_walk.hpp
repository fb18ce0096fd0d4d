// The one walk over a pipeline's entries behind pipeline_spec.hpp: it
// checks each entry and adds its node and edges to the graph. The generic
// part (lists, kinds, keys, messages) is pipeline_walk.cpp; each entry
// kind's reader is in pipeline_entries.cpp. Tables are read raw
// (lua_rawget, lua_next): no metamethod of workflow code runs here, so no
// Lua error can cross these C++ frames.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace weft::dsl {

class PipelineWalk {
 public:
  // Reads the declaration's name (for messages); throws if it has none.
  PipelineWalk(lua_State* L, int decl);

  // Walks `steps` (and `result`) of the declaration at absolute index
  // `decl`; returns {"nodes": [...], "edges": [...]}. Throws
  // std::runtime_error naming the entry at fault.
  nlohmann::json graph(int decl);

  // "pipeline 'name': ", the start of every message.
  const std::string& prefix() const { return prefix_; }

 private:
  // Where the walk goes on from: node ids, each with its edge's label.
  using Exits = std::vector<std::pair<std::string, std::string>>;

  struct Entry {
    int index = 0;      // the entry table on the stack
    std::string where;  // "steps[3]", "steps[3].steps[1]"
    std::string label;  // "'refine'" or "(sleep)", for messages
    nlohmann::json node;
  };

  using Reader = void (PipelineWalk::*)(Entry&, Exits&);
  struct Kind {
    const char* key;             // the key naming the kind; "" for { "name", fn }
    std::set<std::string> keys;  // every key it accepts
    Reader read;
  };
  // The entry kinds (pipeline_entries.cpp).
  static const std::vector<Kind>& kinds();

  // pipeline_walk.cpp
  [[noreturn]] void fail(const Entry& e, const std::string& message) const;
  void link(const Exits& from, const std::string& to);
  Exits list(int steps, const std::string& where, const std::string& id_prefix, Exits from);
  Exits entry(Entry& e, Exits from);
  const Kind& kind_of(Entry& e);
  std::string key_text(int index) const;
  std::string function_label(const std::string& what, const std::string& where);
  std::string duration(Entry& e, const char* key);
  std::string name_field(Entry& e, const char* key);
  void claims(Entry& e, const std::string& key);
  void retry(Entry& e, const char* key);

  // pipeline_entries.cpp: one reader per kind
  void step(Entry& e, Exits& next);
  void sleep(Entry& e, Exits& next);
  void wait_event(Entry& e, Exits& next);
  void child(Entry& e, Exits& next);
  void when(Entry& e, Exits& next);
  void parallel(Entry& e, Exits& next);
  void map(Entry& e, Exits& next);
  std::string as_field(Entry& e, const std::string& fallback);

  lua_State* L_;
  std::string prefix_;
  nlohmann::json nodes_ = nlohmann::json::array();
  nlohmann::json edges_ = nlohmann::json::array();
  std::map<std::string, std::string> state_keys_;  // state key -> the entry that sets it
};

// lua_rawget of t[key], pushed; returns its type.
int raw_field(lua_State* L, int table, const char* key);

}  // namespace weft::dsl
