// Lua <-> JSON conversion (see lua_json.hpp). Tables whose keys are exactly
// 1..n are arrays; tables marked with weft.array / weft.object metatables
// keep their kind even when empty; an empty unmarked table is an object.
//
// Design: the path of the value being converted is kept as a stack of
// segments (keys point into Lua strings that stay on the stack meanwhile)
// and rendered only when an error names it.
#include "dsl/lua_json.hpp"

#include <cmath>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "dsl/budget.hpp"
#include "engine/json_limits.hpp"
#include "engine/utf8.hpp"

namespace weft::dsl {
namespace {

const char* const kArrayMeta = "weft.array";
const char* const kObjectMeta = "weft.object";
int null_sentinel;  // its address is weft.null

// Work charged to the active budget per value converted (about what ten
// VM instructions cost), in batches so the common small value costs one
// thread-local read.
constexpr int64_t kUnitsPerValue = 10;
constexpr int64_t kChargeBatch = 1024;
const char* const kBudgetSpent =
    "instruction limit exceeded (while converting a value to or from JSON)";

// Counts converted values and charges them to the budget in batches.
class Charger {
 public:
  void one() {
    if (++pending_ == kChargeBatch) flush();
  }
  void flush() {
    int64_t units = pending_ * kUnitsPerValue;
    pending_ = 0;
    if (!try_charge(units)) throw std::runtime_error(kBudgetSpent);
  }

 private:
  int64_t pending_ = 0;
};

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

std::string_view string_at(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return {s, len};
}

class ToJson {
 public:
  ToJson(lua_State* L, const std::string& root, InvalidUtf8 strings)
      : L_(L), root_(root), strings_(strings) {}

  json convert(int index, int depth) {
    charger_.one();
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        return nullptr;
      case LUA_TBOOLEAN:
        return static_cast<bool>(lua_toboolean(L_, index));
      case LUA_TNUMBER:
        if (lua_isinteger(L_, index)) return static_cast<int64_t>(lua_tointeger(L_, index));
        if (!std::isfinite(lua_tonumber(L_, index))) fail("NaN and infinity have no JSON form");
        return lua_tonumber(L_, index);
      case LUA_TSTRING:
        return text(string_at(L_, index), "");
      case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L_, index) == &null_sentinel) return nullptr;
        break;
      case LUA_TTABLE:
        return table(index, depth + 1);
      default:
        break;
    }
    fail(std::string("cannot convert a ") + luaL_typename(L_, index) + " to JSON");
  }

  void finish() { charger_.flush(); }

 private:
  struct Segment {  // "[index]" or ".key"
    lua_Integer index = 0;
    std::string_view key;
    bool is_key = false;
  };

  json table(int index, int depth) {
    if (depth > engine::kMaxJsonDepth)
      fail("nested deeper than " + std::to_string(engine::kMaxJsonDepth) +
           " levels (or a table that contains itself)");
    if (!lua_checkstack(L_, 4)) fail("no Lua stack left to convert this value");
    bool marked_array = has_metatable(L_, index, kArrayMeta);
    bool marked_object = has_metatable(L_, index, kObjectMeta);
    lua_Integer n = marked_object ? -1 : array_length(L_, index);
    if (marked_array && n < 0) fail("array has non-sequential keys");
    if (n > 0 || (n == 0 && marked_array)) {
      json out = json::array();
      out.get_ref<json::array_t&>().reserve(static_cast<size_t>(n));
      for (lua_Integer i = 1; i <= n; ++i) {
        lua_rawgeti(L_, index, i);
        path_.push_back({i, {}, false});
        out.push_back(convert(lua_gettop(L_), depth));
        path_.pop_back();
        lua_pop(L_, 1);
      }
      return out;
    }
    json out = json::object();
    lua_pushnil(L_);
    while (lua_next(L_, index)) {
      std::string key;
      if (lua_type(L_, -2) == LUA_TSTRING) {
        path_.push_back({0, string_at(L_, -2), true});
        key = text(string_at(L_, -2), " in a key");
      } else if (lua_isinteger(L_, -2)) {
        key = std::to_string(lua_tointeger(L_, -2));
        path_.push_back({lua_tointeger(L_, -2), {}, false});
      } else {
        fail("object keys must be strings or integers");
      }
      out[key] = convert(lua_gettop(L_), depth);
      path_.pop_back();
      lua_pop(L_, 1);
    }
    return out;
  }

  // A string (or key) as it goes into JSON, by the UTF-8 policy.
  std::string text(std::string_view s, const char* what) {
    size_t bad = engine::invalid_utf8_at(s);
    if (bad == std::string_view::npos) return std::string(s);
    if (strings_ == InvalidUtf8::Replace) return engine::sanitize_utf8(s);
    fail(engine::describe_invalid_utf8(s, bad) + what);
  }

  std::string path() const {
    std::string out = root_;
    for (const auto& segment : path_) {
      if (segment.is_key)
        out += "." + engine::sanitize_utf8(segment.key);
      else
        out += "[" + std::to_string(segment.index) + "]";
    }
    return out;
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw std::runtime_error(path() + ": " + problem);
  }

  lua_State* L_;
  const std::string& root_;
  InvalidUtf8 strings_;
  std::vector<Segment> path_;
  Charger charger_;
};

class FromJson {
 public:
  explicit FromJson(lua_State* L) : L_(L) {}

  void push(const json& value, int depth) {
    charger_.one();
    if (!lua_checkstack(L_, 3)) throw std::runtime_error("no Lua stack left to convert a JSON value");
    switch (value.type()) {
      case json::value_t::null:
        push_null(L_);
        return;
      case json::value_t::boolean:
        lua_pushboolean(L_, value.get<bool>());
        return;
      case json::value_t::number_integer:
        lua_pushinteger(L_, value.get<int64_t>());
        return;
      case json::value_t::number_unsigned:
        lua_pushinteger(L_, static_cast<lua_Integer>(value.get<uint64_t>()));
        return;
      case json::value_t::number_float:
        lua_pushnumber(L_, value.get<double>());
        return;
      case json::value_t::string: {
        const auto& s = value.get_ref<const std::string&>();
        lua_pushlstring(L_, s.data(), s.size());
        return;
      }
      case json::value_t::array: {
        check_depth(depth + 1);
        lua_createtable(L_, static_cast<int>(value.size()), 0);
        lua_Integer i = 1;
        for (const auto& item : value) {
          push(item, depth + 1);
          lua_rawseti(L_, -2, i++);
        }
        luaL_setmetatable(L_, kArrayMeta);
        return;
      }
      case json::value_t::object: {
        check_depth(depth + 1);
        lua_createtable(L_, 0, static_cast<int>(value.size()));
        for (auto it = value.begin(); it != value.end(); ++it) {  // no iteration proxy:
          const std::string& key = it.key();  // nothing with a destructor while Lua may raise
          lua_pushlstring(L_, key.data(), key.size());
          push(*it, depth + 1);
          lua_rawset(L_, -3);
        }
        return;
      }
      default:
        lua_pushnil(L_);  // binary and discarded values never come from our parser
    }
  }

  void finish() { charger_.flush(); }

 private:
  static void check_depth(int depth) {
    if (depth > engine::kMaxStoredJsonDepth)
      throw std::runtime_error("JSON value nested deeper than " +
                               std::to_string(engine::kMaxStoredJsonDepth) + " levels");
  }

  lua_State* L_;
  Charger charger_;
};

}  // namespace

json lua_to_json(lua_State* L, int index, const std::string& root, InvalidUtf8 strings) {
  int top = lua_gettop(L);
  try {
    ToJson converter(L, root, strings);
    json out = converter.convert(lua_absindex(L, index), 0);
    converter.finish();
    return out;
  } catch (...) {
    lua_settop(L, top);  // the keys and values being walked
    throw;
  }
}

void push_null(lua_State* L) { lua_pushlightuserdata(L, &null_sentinel); }

void push_json(lua_State* L, const json& value) {
  int top = lua_gettop(L);
  try {
    FromJson converter(L);
    converter.push(value, 0);
    converter.finish();
  } catch (...) {
    lua_settop(L, top);
    throw;
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
