// Frames of a replayed run (see replay_frames.hpp). The capture runs inside
// the run's coroutine at the paused call, where the workflow's frame is
// still on the Lua stack: lua_getlocal / lua_getupvalue read it.
#include "dsl/replay_frames.hpp"

#include <algorithm>

#include "dsl/ctx.hpp"
#include "dsl/lua_json.hpp"
#include "engine/utf8.hpp"

namespace weft::dsl {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 8;       // nesting shown; deeper tables (and cycles) are "<table>"
constexpr int kMaxEntries = 100;   // entries shown per table
constexpr int kMaxTotal = 1'000;   // entries shown per value, all tables together

// A value as the debugger shows it: JSON where JSON can hold it; inside a
// table that holds something else (functions, ctx, coroutines), each such
// value as "<type>", so that a module or a record with methods still
// shows its data. Bounded in depth, entries per table and entries in all
// (`budget`): a local may be huge, or a table that holds itself.
json table_json(lua_State* L, int index, const char* name, int depth, int& budget);

json value_json(lua_State* L, int index, const char* name) {
  int budget = kMaxTotal;
  return table_json(L, index, name, 0, budget);
}

json table_json(lua_State* L, int index, const char* name, int depth, int& budget) {
  index = lua_absindex(L, index);
  try {
    return lua_to_json(L, index, name);
  } catch (const std::exception&) {
  }
  if (!lua_istable(L, index) || depth >= kMaxDepth || budget <= 0 || !lua_checkstack(L, 3))
    return std::string("<") + luaL_typename(L, index) + ">";
  json out = json::object();
  int shown = 0, left = 0;
  // The entries that are not tables first, then the tables with what is
  // left of the budget: a deep first entry cannot hide its siblings.
  int tables_left = 0;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    tables_left += lua_istable(L, -1) ? 1 : 0;
    lua_pop(L, 1);
  }
  for (bool tables : {false, true}) {
    lua_pushnil(L);
    while (lua_next(L, index)) {
      std::string key;
      if (lua_istable(L, -1) != tables) {
        lua_pop(L, 1);
        continue;
      }
      if (lua_type(L, -2) == LUA_TSTRING) {
        key = engine::sanitize_utf8(lua_tostring(L, -2));
      } else if (lua_type(L, -2) == LUA_TNUMBER) {
        key = lua_isinteger(L, -2) ? std::to_string(lua_tointeger(L, -2)) : std::to_string(lua_tonumber(L, -2));
      } else {  // a key only code can hold (Weft's hidden ones among them): not data
        lua_pop(L, 1);
        continue;
      }
      if (shown < kMaxEntries && budget > 0) {
        --budget;
        // Each nested table gets its share of the budget, so that siblings
        // show as much as the first one.
        int share = tables ? std::max(1, budget / std::max(1, tables_left--)) : 0;
        int unused = share;
        out[key] = table_json(L, -1, name, depth + 1, tables ? unused : budget);
        budget -= share - unused;
        ++shown;
      } else {
        ++left;
      }
      lua_pop(L, 1);
    }
  }
  if (left > 0) out["..."] = std::to_string(left) + " more";
  return out;
}

// Fills `frame` from the workflow frame of the paused call on L; with an
// expression, evaluates it in a scope of that frame's variables over the
// run's globals.
void capture(lua_State* L, RunContext& rc, Frame& frame, const std::string& expression) {
  int top = lua_gettop(L);
  int level = 0;
  frame.location = call_location(L, &level);
  if (frame.location.empty()) frame.location = rc.spec.pipeline_location;  // a pipeline: no frame of its own
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
