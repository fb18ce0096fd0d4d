// Retry policies (see retry_policy.hpp).
#include "engine/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/duration.hpp"

namespace weft::engine {
namespace {

// Errors that no policy retries: the run itself is at fault or stopped.
// A workflow's own timeout is not listed: it dooms the run with an error
// that is not retryable, while an HTTP request's timeout (the same kind,
// retryable) is retried like any transient failure.
bool never_retried(const std::string& kind) {
  return kind == "limit_exceeded" || kind == "non_determinism" || kind == "cancelled" ||
         kind == "serialization";
}

int64_t duration_field(const nlohmann::json& value, const char* field) {
  try {
    if (value.is_number()) return seconds_to_ms(value.get<double>());
    if (value.is_string()) return parse_duration_ms(value.get<std::string>());
  } catch (const std::invalid_argument&) {
  }
  throw std::invalid_argument(std::string("retry.") + field +
                              ": expected seconds or a duration like \"2s\"");
}

}  // namespace

int64_t RetryPolicy::delay_ms(int failed_attempt, const nlohmann::json& error) const {
  if (error.is_object() && error.contains("retry_after") && error["retry_after"].is_number())
    return std::max<int64_t>(0, seconds_to_ms(std::max(0.0, error["retry_after"].get<double>())));
  double delay = static_cast<double>(initial_ms) * std::pow(backoff, failed_attempt - 1);
  return static_cast<int64_t>(std::min(delay, static_cast<double>(max_ms)));
}

bool RetryPolicy::should_retry(int failed_attempt, const nlohmann::json& error) const {
  if (failed_attempt >= attempts) return false;
  std::string kind = error.value("kind", "error");
  if (never_retried(kind)) return false;
  if (error.contains("retryable") && error["retryable"].is_boolean() &&
      !error["retryable"].get<bool>())
    return false;
  return std::find(non_retryable.begin(), non_retryable.end(), kind) == non_retryable.end();
}

RetryPolicy parse_retry_policy(const nlohmann::json& spec, const RetryPolicy& base) {
  RetryPolicy policy = base;
  if (spec.is_null()) return policy;
  if (!spec.is_object()) throw std::invalid_argument("retry: expected a table");
  for (const auto& [key, value] : spec.items()) {
    if (key == "attempts") {
      if (!value.is_number_integer() || value.get<int>() < 1)
        throw std::invalid_argument("retry.attempts: expected an integer >= 1");
      policy.attempts = value.get<int>();
    } else if (key == "initial") {
      policy.initial_ms = duration_field(value, "initial");
    } else if (key == "max") {
      policy.max_ms = duration_field(value, "max");
    } else if (key == "backoff") {
      if (!value.is_number() || value.get<double>() < 1.0)
        throw std::invalid_argument("retry.backoff: expected a number >= 1");
      policy.backoff = value.get<double>();
    } else if (key == "non_retryable") {
      if (!value.is_array()) throw std::invalid_argument("retry.non_retryable: expected a list");
      policy.non_retryable.clear();
      for (const auto& kind : value) {
        if (!kind.is_string())
          throw std::invalid_argument("retry.non_retryable: expected error kinds (strings)");
        policy.non_retryable.push_back(kind.get<std::string>());
      }
    } else {
      throw std::invalid_argument("retry: unknown field '" + key + "'");
    }
  }
  return policy;
}

}  // namespace weft::engine
