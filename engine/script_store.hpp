// Storage of workflow script versions, by content hash. Part of Store
// (store.hpp).
#pragma once
#include <optional>
#include <string>

namespace weft::engine {

class ScriptStore {
 public:
  virtual ~ScriptStore() = default;

  virtual void put_script(const std::string& hash, const std::string& workflow,
                          const std::string& source) = 0;
  virtual std::optional<std::string> get_script(const std::string& hash) = 0;
};

}  // namespace weft::engine
