// Keeps secret values out of everything Weft writes about a run: the one
// Redactor a run carries knows the values of the secrets its workflow
// declares (and any it read or set) and replaces every exact occurrence of
// them, in strings, JSON values (keys included) and history writes, with
// "[secret:NAME]". Transformed values (base64, substrings, hashes) are not
// recognised: see "Redaction" in docs/stdlib/secrets.md.
#pragma once
#include <lua.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "engine/store.hpp"

namespace weft::dsl {

class Redactor {
 public:
  // Adds (or updates) the value of secret `name`; an empty value is ignored.
  void add(const std::string& name, const std::string& value);
  bool empty() const { return secrets_.empty(); }

  // `text` with every occurrence of a known value replaced by
  // "[secret:NAME]"; overlapping occurrences are replaced as one.
  std::string clean(std::string_view text) const;
  // Every string and object key inside `value`, in place.
  void clean(nlohmann::json& value) const;
  // What a commit writes: run results and errors, inputs of inserted runs,
  // results and errors of history events.
  void clean(std::vector<engine::Mutation>& mutations) const;

  static std::string marker(const std::string& name) { return "[secret:" + name + "]"; }

 private:
  struct Secret {
    std::string name;
    std::string value;
  };
  std::vector<Secret> secrets_;
};

// print() of a run whose Redactor is not empty: writes the line to stderr
// with secret values replaced and returns true; false (nothing done) for
// code of no run, or of a run with nothing to redact.
bool print_redacted(lua_State* L);

}  // namespace weft::dsl
