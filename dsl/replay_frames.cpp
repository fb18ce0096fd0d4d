// Frames of a replayed run (see replay_frames.hpp). The capture runs inside
// the run's coroutine at the paused call, where the workflow's frame is
// still on the Lua stack: lua_getlocal / lua_getupvalue read it.
#include "dsl/replay_frames.hpp"

#include "dsl/ctx.hpp"
#include "dsl/lua_json.hpp"

namespace weft::dsl {
namespace {

using nlohmann::json;

json value_json(lua_State* L, int index, const char* name) {
  try {
    return lua_to_json(L, index, name);
  } catch (const std::exception&) {
    return std::string("<") + luaL_typename(L, index) + ">";
  }
}

// Fills `frame` from the workflow frame of the paused call on L; with an
// expression, evaluates it in a scope of that frame's variables over the
// run's globals.
void capture(lua_State* L, RunContext& rc, Frame& frame, const std::string& expression) {
  int top = lua_gettop(L);
  int level = 0;
  frame.location = call_location(L, &level);
  lua_Debug ar;
  if (level == 0 || !lua_getstack(L, level, &ar)) return;
  lua_newtable(L);  // the scope an expression sees
  int scope = lua_gettop(L);
  for (int i = 1;; ++i) {
    const char* name = lua_getlocal(L, &ar, i);
    if (!name) break;
    if (name[0] == '(') {  // a temporary, not a variable
      lua_pop(L, 1);
      continue;
    }
    frame.locals[name] = value_json(L, -1, name);
    lua_setfield(L, scope, name);
  }
  lua_getinfo(L, "f", &ar);
  int function = lua_gettop(L);
  for (int i = 1;; ++i) {
    const char* name = lua_getupvalue(L, function, i);
    if (!name) break;
    if (name[0] == '\0' || std::string_view(name) == "_ENV" || frame.locals.contains(name)) {
      lua_pop(L, 1);
      continue;
    }
    frame.locals[name] = value_json(L, -1, name);
    lua_setfield(L, scope, name);
  }
  if (!expression.empty()) {
    frame.evaluated = true;
    lua_createtable(L, 0, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, rc.env_ref);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, scope);
    std::string chunk = "return " + expression;
    if (luaL_loadbufferx(L, chunk.data(), chunk.size(), "=(print)", "t") != LUA_OK) {
      frame.error = lua_tostring(L, -1);
    } else {
      lua_pushvalue(L, scope);
      lua_setupvalue(L, -2, 1);  // the chunk's _ENV
      rc.replay->evaluating = true;
      int status = lua_pcall(L, 0, 1, 0);
      rc.replay->evaluating = false;
      if (status == LUA_OK)
        frame.value = value_json(L, -1, "value");
      else
        frame.error = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "the expression raised an error";
    }
  }
  lua_settop(L, top);
}

}  // namespace

Frame frame_at(Replayer& replayer, const engine::Run& run,
               const std::vector<engine::HistoryEvent>& history, const engine::ScriptVersion& version,
               int64_t seq, const std::string& expression) {
  Frame frame;
  frame.seq = seq;
  ReplayTrace pause;
  pause.pause_seq = seq;
  pause.at_pause = [&](lua_State* L, RunContext& rc, const engine::Decision&) {
    frame.reached = true;
    capture(L, rc, frame, expression);
  };
  replayer.replay(run, history, version, &pause);
  return frame;
}

json to_json(const Frame& frame) {
  json out = {{"seq", frame.seq},
              {"reached", frame.reached},
              {"location", frame.location.empty() ? json() : json(frame.location)},
              {"locals", frame.locals}};
  if (!frame.error.empty())
    out["error"] = frame.error;
  else if (frame.evaluated)
    out["value"] = frame.value;
  return out;
}

}  // namespace weft::dsl
