// Pipeline declarations (see pipeline_spec.hpp): the top-level check and
// the mark; the entries are walked by pipeline_walk.hpp.
#include "dsl/pipeline_spec.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include "dsl/pipeline_walk.hpp"

namespace weft::dsl {
namespace {

// The registry key of the mark set by mark_pipeline.
const char kPipelineMark = 0;

const std::set<std::string> kTopLevelKeys = {"name",    "on",    "retry",  "timeout",   "budget",
                                             "limits",  "secrets", "steps", "result", "on_failure"};

}  // namespace

void check_pipeline(lua_State* L, int index) {
  index = lua_absindex(L, index);
  PipelineWalk walk(L, index);
  lua_pushnil(L);
  while (lua_next(L, index)) {
    if (lua_type(L, -2) != LUA_TSTRING || !kTopLevelKeys.count(lua_tostring(L, -2))) {
      std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2);
      throw std::runtime_error(walk.prefix() + (key == "run" ? "a pipeline has steps, not run"
                                                             : "unknown key '" + key + "'"));
    }
    lua_pop(L, 1);
  }
  walk.graph(index);
}

nlohmann::json pipeline_graph(lua_State* L, int index) {
  index = lua_absindex(L, index);
  return PipelineWalk(L, index).graph(index);
}

void mark_pipeline(lua_State* L, int index, const std::string& location) {
  index = lua_absindex(L, index);
  lua_pushlightuserdata(L, const_cast<char*>(&kPipelineMark));
  lua_pushlstring(L, location.data(), location.size());
  lua_rawset(L, index);
}

bool is_pipeline(lua_State* L, int index) {
  index = lua_absindex(L, index);
  lua_pushlightuserdata(L, const_cast<char*>(&kPipelineMark));
  bool marked = lua_rawget(L, index) == LUA_TSTRING;
  lua_pop(L, 1);
  return marked;
}

std::string pipeline_location(lua_State* L, int index) {
  index = lua_absindex(L, index);
  lua_pushlightuserdata(L, const_cast<char*>(&kPipelineMark));
  std::string location = lua_rawget(L, index) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  return location;
}

}  // namespace weft::dsl
