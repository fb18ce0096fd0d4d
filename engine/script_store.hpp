// Storage of workflow script versions (script_version.hpp), by hash. Part
// of Store (store.hpp).
#pragma once
#include <optional>
#include <string>

#include "engine/script_version.hpp"

namespace weft::engine {

class ScriptStore {
 public:
  virtual ~ScriptStore() = default;

  // Stores `version` under its hash; a version already stored is kept.
  virtual void put_version(const ScriptVersion& version) = 0;
  virtual std::optional<ScriptVersion> get_version(const std::string& hash) = 0;
};

}  // namespace weft::engine
