#include "dsl/step_mocks.hpp"

namespace weft::dsl {

size_t StepMocks::add(const std::string& name, StepOutcome outcome, int64_t times) {
  std::lock_guard lock(mutex_);
  mocks_.push_back({name, std::move(outcome), times, 0});
  return mocks_.size() - 1;
}

std::optional<StepOutcome> StepMocks::take(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& mock : mocks_) {
    if (mock.name != name || (mock.times >= 0 && mock.calls >= mock.times)) continue;
    ++mock.calls;
    return mock.outcome;
  }
  return std::nullopt;
}

int64_t StepMocks::calls(size_t index) const {
  std::lock_guard lock(mutex_);
  return index < mocks_.size() ? mocks_[index].calls : 0;
}

}  // namespace weft::dsl
