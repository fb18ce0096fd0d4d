// Steps whose function a test replaces (weft test's t:mock_step): the
// outcome each call of a named step (or saga undo, "undo:NAME") gets
// instead of running its function.
// Found among the run's services; absent outside weft test. Shared by the
// test's thread, which adds mocks, and the workers, which take them.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace weft::dsl {

// A step's canned outcome: its result, or (when `error` is not null) the
// weft.error table it raises, which retry policies see like any other.
struct StepOutcome {
  nlohmann::json result;
  nlohmann::json error;
};

class StepMocks {
 public:
  // Mocks step `name`; `times` < 0: every call, else the next `times`
  // calls. Mocks of one name are used in the order they were added.
  // Returns the mock's index (for calls()).
  size_t add(const std::string& name, StepOutcome outcome, int64_t times);
  // The outcome for a call of step `name`, counting the call; nullopt
  // when no mock (with calls left) has that name: the function runs.
  std::optional<StepOutcome> take(const std::string& name);
  // How many calls the mock at `index` answered.
  int64_t calls(size_t index) const;

 private:
  struct Mock {
    std::string name;
    StepOutcome outcome;
    int64_t times = -1;
    int64_t calls = 0;
  };
  mutable std::mutex mutex_;
  std::vector<Mock> mocks_;
};

}  // namespace weft::dsl
