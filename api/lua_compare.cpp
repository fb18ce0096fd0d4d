#include "api/lua_compare.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

#include "dsl/lua_json.hpp"

namespace weft::api {
namespace {

constexpr int kMaxDepth = 100;      // comparison
constexpr int kMaxRenderDepth = 6;  // rendering

bool is_null(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TLIGHTUSERDATA) return false;
  dsl::push_null(L);
  bool same = lua_rawequal(L, index, -1);
  lua_pop(L, 1);
  return same;
}

bool is_identifier(const std::string& text) {
  if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_')) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\%u", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A table key the comparison can sort and push again.
using Key = std::variant<lua_Integer, std::string>;

void push_key(lua_State* L, const Key& key) {
  if (const auto* i = std::get_if<lua_Integer>(&key)) lua_pushinteger(L, *i);
  else lua_pushlstring(L, std::get<std::string>(key).data(), std::get<std::string>(key).size());
}

std::string key_path(const Key& key) {
  if (const auto* i = std::get_if<lua_Integer>(&key)) return "[" + std::to_string(*i) + "]";
  const auto& text = std::get<std::string>(key);
  return is_identifier(text) ? "." + text : "[" + quoted(text) + "]";
}

// The keys of the table at `index`: integers ascending, then strings
// sorted. Keys of other types (rare in data) come last, as "[?]".
std::vector<Key> sorted_keys(lua_State* L, int index, bool& other_keys) {
  std::vector<Key> keys;
  other_keys = false;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    lua_pop(L, 1);
    if (lua_isinteger(L, -1)) {
      keys.emplace_back(lua_tointeger(L, -1));
    } else if (lua_type(L, -1) == LUA_TSTRING) {
      size_t len = 0;
      const char* text = lua_tolstring(L, -1, &len);
      keys.emplace_back(std::string(text, len));
    } else {
      other_keys = true;
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

void render(lua_State* L, int index, int depth, std::string& out, size_t max_chars) {
  if (out.size() > max_chars) return;
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TNIL: out += "nil"; return;
    case LUA_TBOOLEAN: out += lua_toboolean(L, index) ? "true" : "false"; return;
    case LUA_TNUMBER: {
      if (lua_isinteger(L, index)) {
        out += std::to_string(lua_tointeger(L, index));
      } else {
        char text[40];
        double value = lua_tonumber(L, index);
        std::snprintf(text, sizeof text, "%.14g", value);
        out += text;
        if (std::string(text).find_first_of(".eEn") == std::string::npos) out += ".0";
      }
      return;
    }
    case LUA_TSTRING: {
      size_t len = 0;
      const char* text = lua_tolstring(L, index, &len);
      out += quoted(std::string(text, std::min<size_t>(len, max_chars)));
      return;
    }
    case LUA_TTABLE: break;
    default:
      out += is_null(L, index) ? "null" : luaL_typename(L, index);
      return;
  }
  if (depth >= kMaxRenderDepth) {
    out += "{…}";
    return;
  }
  bool other_keys = false;
  std::vector<Key> keys = sorted_keys(L, index, other_keys);
  out += "{";
  lua_Integer next_position = 1;
  bool first = true;
  for (const Key& key : keys) {
    if (out.size() > max_chars) break;
    out += first ? "" : ", ";
    first = false;
    const auto* position = std::get_if<lua_Integer>(&key);
    if (position && *position == next_position) {
      ++next_position;  // the array part prints without its keys
    } else if (position) {
      out += "[" + std::to_string(*position) + "] = ";
    } else {
      const auto& text = std::get<std::string>(key);
      out += (is_identifier(text) ? text : "[" + quoted(text) + "]") + " = ";
    }
    push_key(L, key);
    lua_rawget(L, index);
    render(L, -1, depth + 1, out, max_chars);
    lua_pop(L, 1);
  }
  if (other_keys) out += first ? "…" : ", …";
  out += "}";
}

struct Comparison {
  lua_State* L;
  std::set<std::pair<const void*, const void*>> open;  // table pairs being compared (cycles)

  // Pushes actual and expected at the first difference.
  bool differ(int actual, int expected, std::string& path, int depth) {
    actual = lua_absindex(L, actual);
    expected = lua_absindex(L, expected);
    if (lua_type(L, actual) != LUA_TTABLE || lua_type(L, expected) != LUA_TTABLE) {
      if (lua_rawequal(L, actual, expected)) return false;
      lua_pushvalue(L, actual);
      lua_pushvalue(L, expected);
      return true;
    }
    auto pair = std::make_pair(lua_topointer(L, actual), lua_topointer(L, expected));
    if (depth >= kMaxDepth || pair.first == pair.second || !open.insert(pair).second) return false;
    bool other_actual = false, other_expected = false;
    std::vector<Key> expected_keys = sorted_keys(L, expected, other_expected);
    std::vector<Key> actual_keys = sorted_keys(L, actual, other_actual);
    std::vector<Key> keys = expected_keys;
    for (const Key& key : actual_keys)
      if (!std::binary_search(expected_keys.begin(), expected_keys.end(), key)) keys.push_back(key);
    bool found = false;
    for (const Key& key : keys) {
      push_key(L, key);
      lua_rawget(L, actual);
      push_key(L, key);
      lua_rawget(L, expected);
      std::string inner;
      if (differ(-2, -1, inner, depth + 1)) {
        lua_rotate(L, -4, 2);  // the two values found below the two looked up
        lua_pop(L, 2);
        path = key_path(key) + inner;
        found = true;
        break;
      }
      lua_pop(L, 2);
    }
    open.erase(pair);
    return found;
  }
};

}  // namespace

std::string render_lua_value(lua_State* L, int index, size_t max_chars) {
  std::string out;
  render(L, index, 0, out, max_chars);
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "…";
  return out;
}

bool lua_difference(lua_State* L, int actual, int expected, std::string& path) {
  if (!lua_checkstack(L, 4 * kMaxDepth + 20)) throw std::runtime_error("no Lua stack left to compare the values");
  Comparison comparison{L, {}};
  path.clear();
  return comparison.differ(actual, expected, path, 0);
}

std::string describe_difference(lua_State* L, int actual, int expected) {
  actual = lua_absindex(L, actual);
  expected = lua_absindex(L, expected);
  std::string path;
  if (!lua_difference(L, actual, expected, path)) return "";
  constexpr size_t kWhole = 60;
  std::string whole_expected = render_lua_value(L, expected, kWhole + 1);
  std::string whole_actual = render_lua_value(L, actual, kWhole + 1);
  std::string message;
  if (whole_expected.size() <= kWhole && whole_actual.size() <= kWhole) {
    message = "expected " + whole_expected + " got " + whole_actual + (path.empty() ? "" : " at " + path);
  } else {
    message = (path.empty() ? "" : "at " + path + ": ") + "expected " + render_lua_value(L, -1) + " got " +
              render_lua_value(L, -2);
  }
  lua_pop(L, 2);
  return message;
}

}  // namespace weft::api
