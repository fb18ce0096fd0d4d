// Pipelines, the C++ half of weft.pipeline { name, steps = { ... }, ... }:
// the load check of a declaration as written, and the graph it draws for
// `weft show` and GET /v1/workflows/{name}. One walk of the entries does
// both, so what is checked is what is drawn. The Lua half, which runs the
// entries, is dsl/lua/weft/pipeline.lua.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace weft::dsl {

// Checks the weft.pipeline { ... } table at `index` as the user wrote it:
// its keys and every entry of `steps` (kind, keys, names, functions,
// durations, retry policies, nesting). Throws std::runtime_error naming
// the entry: "pipeline 'leads': steps[3] 'refine': unknown key 'retyr'".
void check_pipeline(lua_State* L, int index);

// The graph of the checked pipeline declaration at `index`:
// {"nodes": [{"id", "kind", "label", ...}], "edges": [{"from", "to"[, "label"]}]},
// from node "start" to node "end"; an entry's id is its position ("3",
// "3.1" for the first entry nested in the third).
nlohmann::json pipeline_graph(lua_State* L, int index);

// Marks the declaration at `index` as made by weft.pipeline (a key no
// workflow code can reach), with where the weft.pipeline call is
// ("file:line"; "" if unknown); is_pipeline and pipeline_location read it.
void mark_pipeline(lua_State* L, int index, const std::string& location);
bool is_pipeline(lua_State* L, int index);
std::string pipeline_location(lua_State* L, int index);

}  // namespace weft::dsl
