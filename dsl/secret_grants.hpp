// Which secrets a workflow may read and write through weft.secrets: the
// `secrets` list of its declaration. An item is an exact name
// ("crm.token") or a prefix pattern ending in ".*" ("slack.*": every name
// that starts with "slack."). Nothing else is granted, webhook
// verification secrets included.
#pragma once
#include <lua.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weft::dsl {

class SecretGrants {
 public:
  SecretGrants() = default;
  // Throws std::invalid_argument naming the bad item ("secrets[2]: ...").
  explicit SecretGrants(std::vector<std::string> items);

  bool allows(std::string_view name) const;
  bool empty() const { return items_.empty(); }
  const std::vector<std::string>& items() const { return items_; }

 private:
  std::vector<std::string> items_;
};

// The declaration's `secrets` field at `index` (nil: none granted). Throws
// std::invalid_argument when it is not a list of names or ".*" patterns.
SecretGrants read_secret_grants(lua_State* L, int index);

}  // namespace weft::dsl
