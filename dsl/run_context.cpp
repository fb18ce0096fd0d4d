// RunContext (see run_context.hpp).
#include "dsl/run_context.hpp"

namespace weft::dsl {

void RunContext::doom(const std::string& kind, const std::string& message) {
  if (doom_error) return;
  doom_error = nlohmann::json{{"kind", kind}, {"message", message}, {"retryable", false}};
}

}  // namespace weft::dsl
