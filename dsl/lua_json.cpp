// Lua <-> JSON conversion (see lua_json.hpp). Tables whose keys are exactly
// 1..n are arrays; tables marked with weft.array / weft.object metatables
// keep their kind even when empty; an empty unmarked table is an object.
#include "dsl/lua_json.hpp"

#include <cmath>
#include <stdexcept>

namespace weft::dsl {
namespace {

constexpr int kMaxDepth = 200;
const char* const kArrayMeta = "weft.array";
const char* const kObjectMeta = "weft.object";
int null_sentinel;  // its address is weft.null

bool has_metatable(lua_State* L, int index, const char* name) {
  if (!lua_getmetatable(L, index)) return false;
  luaL_getmetatable(L, name);
  bool same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

// Returns n when the table's keys are exactly the integers 1..n, else -1.
lua_Integer array_length(lua_State* L, int index) {
  lua_Integer count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return -1;
    }
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 1) {
      lua_pop(L, 1);
      return -1;
    }
    if (k > max) max = k;
    ++count;
  }
  return count == max ? max : -1;
}

json convert(lua_State* L, int index, const std::string& path, int depth);

json convert_table(lua_State* L, int index, const std::string& path, int depth) {
  if (depth > kMaxDepth) throw std::runtime_error(path + ": nested too deeply (or a cycle)");
  bool marked_array = has_metatable(L, index, kArrayMeta);
  bool marked_object = has_metatable(L, index, kObjectMeta);
  lua_Integer n = marked_object ? -1 : array_length(L, index);
  if (marked_array && n < 0)
    throw std::runtime_error(path + ": array has non-sequential keys");
  if (n > 0 || (n == 0 && marked_array)) {
    json out = json::array();
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, index, i);
      out.push_back(convert(L, lua_gettop(L), path + "[" + std::to_string(i) + "]", depth + 1));
      lua_pop(L, 1);
    }
    return out;
  }
  json out = json::object();
  lua_pushnil(L);
  while (lua_next(L, index)) {
    std::string key;
    if (lua_type(L, -2) == LUA_TSTRING) {
      key = lua_tostring(L, -2);
    } else if (lua_isinteger(L, -2)) {
      key = std::to_string(lua_tointeger(L, -2));
    } else {
      lua_pop(L, 2);
      throw std::runtime_error(path + ": object keys must be strings or integers");
    }
    out[key] = convert(L, lua_gettop(L), path + "." + key, depth + 1);
    lua_pop(L, 1);
  }
  return out;
}

json convert(lua_State* L, int index, const std::string& path, int depth) {
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      return nullptr;
    case LUA_TBOOLEAN:
      return static_cast<bool>(lua_toboolean(L, index));
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) return static_cast<int64_t>(lua_tointeger(L, index));
      if (!std::isfinite(lua_tonumber(L, index)))
        throw std::runtime_error(path + ": NaN and infinity have no JSON form");
      return lua_tonumber(L, index);
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      return std::string(s, len);
    }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, index) == &null_sentinel) return nullptr;
      break;
    case LUA_TTABLE:
      return convert_table(L, lua_absindex(L, index), path, depth);
    default:
      break;
  }
  throw std::runtime_error(path + ": cannot convert a " + luaL_typename(L, index) + " to JSON");
}

}  // namespace

json lua_to_json(lua_State* L, int index, const std::string& root) {
  luaL_checkstack(L, kMaxDepth * 3 + 20, "JSON conversion");
  return convert(L, lua_absindex(L, index), root, 0);
}

void push_null(lua_State* L) { lua_pushlightuserdata(L, &null_sentinel); }

void push_json(lua_State* L, const json& value) {
  luaL_checkstack(L, 4, "JSON conversion");
  switch (value.type()) {
    case json::value_t::null:
      push_null(L);
      return;
    case json::value_t::boolean:
      lua_pushboolean(L, value.get<bool>());
      return;
    case json::value_t::number_integer:
      lua_pushinteger(L, value.get<int64_t>());
      return;
    case json::value_t::number_unsigned:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<uint64_t>()));
      return;
    case json::value_t::number_float:
      lua_pushnumber(L, value.get<double>());
      return;
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case json::value_t::array: {
      lua_createtable(L, static_cast<int>(value.size()), 0);
      lua_Integer i = 1;
      for (const auto& item : value) {
        push_json(L, item);
        lua_rawseti(L, -2, i++);
      }
      luaL_setmetatable(L, kArrayMeta);
      return;
    }
    case json::value_t::object: {
      lua_createtable(L, 0, static_cast<int>(value.size()));
      for (const auto& [key, item] : value.items()) {
        lua_pushlstring(L, key.data(), key.size());
        push_json(L, item);
        lua_rawset(L, -3);
      }
      return;
    }
    default:
      lua_pushnil(L);  // binary and discarded values never come from our parser
  }
}

void install_json_markers(lua_State* L) {
  luaL_newmetatable(L, kArrayMeta);
  lua_pushstring(L, "array");
  lua_setfield(L, -2, "__weft_kind");
  lua_pop(L, 1);
  luaL_newmetatable(L, kObjectMeta);
  lua_pushstring(L, "object");
  lua_setfield(L, -2, "__weft_kind");
  lua_pop(L, 1);
}

}  // namespace weft::dsl
