// Secret grants of a workflow declaration (see secret_grants.hpp).
#include "dsl/secret_grants.hpp"

#include <map>
#include <stdexcept>

namespace weft::dsl {
namespace {

constexpr size_t kMaxName = 255;

// "" when `item` is a valid name or pattern, else why not.
std::string problem(const std::string& item) {
  if (item.empty()) return "expected a non-empty secret name";
  if (item.size() > kMaxName) return "a secret name has at most 255 bytes";
  size_t star = item.find('*');
  if (star == std::string::npos) return "";
  if (star != item.size() - 1 || item.size() < 3 || item[item.size() - 2] != '.')
    return "'" + item + "': '*' is only allowed as a final \".*\" after a prefix (\"slack.*\")";
  return "";
}

}  // namespace

SecretGrants::SecretGrants(std::vector<std::string> items) : items_(std::move(items)) {
  for (size_t i = 0; i < items_.size(); ++i) {
    std::string why = problem(items_[i]);
    if (!why.empty()) throw std::invalid_argument("secrets[" + std::to_string(i + 1) + "]: " + why);
  }
}

bool SecretGrants::allows(std::string_view name) const {
  for (const std::string& item : items_) {
    if (item.back() == '*') {
      std::string_view prefix(item.data(), item.size() - 1);  // "slack."
      if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) return true;
    } else if (name == item) {
      return true;
    }
  }
  return false;
}

SecretGrants read_secret_grants(lua_State* L, int index) {
  index = lua_absindex(L, index);
  if (lua_isnil(L, index)) return {};
  if (!lua_istable(L, index))
    throw std::invalid_argument("secrets: expected a list of secret names { \"crm.token\", \"slack.*\" }");
  std::map<lua_Integer, std::string> by_position;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    lua_Integer at = lua_isinteger(L, -2) ? lua_tointeger(L, -2) : 0;
    size_t size = 0;
    const char* text = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &size) : nullptr;
    if (at >= 1 && text != nullptr) by_position[at].assign(text, size);
    lua_pop(L, 1);
    if (at < 1) {
      lua_pop(L, 1);
      throw std::invalid_argument("secrets: expected a list of secret names, not a table with other keys");
    }
    if (text == nullptr) {
      lua_pop(L, 1);
      throw std::invalid_argument("secrets[" + std::to_string(at) + "]: expected a non-empty secret name (string)");
    }
  }
  std::vector<std::string> items;
  for (auto& [at, name] : by_position) {
    if (at != static_cast<lua_Integer>(items.size()) + 1)
      throw std::invalid_argument("secrets: expected a list of secret names (item " +
                                  std::to_string(items.size() + 1) + " is missing)");
    items.push_back(std::move(name));
  }
  return SecretGrants(std::move(items));
}

}  // namespace weft::dsl
