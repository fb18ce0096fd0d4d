// Retry policies of steps: how many attempts, how long to wait between
// them (exponential backoff with a cap), and which errors never retry.
// A step's policy overrides the workflow's field by field.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace weft::engine {

struct RetryPolicy {
  int attempts = 3;
  int64_t initial_ms = 1000;
  double backoff = 2.0;
  int64_t max_ms = 5 * 60 * 1000;
  std::vector<std::string> non_retryable;

  // Delay before the attempt after `failed_attempt` (1-based). A recorded
  // error's `retry_after` (seconds, e.g. from Retry-After) takes precedence.
  int64_t delay_ms(int failed_attempt, const nlohmann::json& error) const;

  // Whether `error` after `failed_attempt` leads to another attempt.
  bool should_retry(int failed_attempt, const nlohmann::json& error) const;
};

// Reads { attempts, initial, backoff, max, non_retryable } over `base`;
// throws std::invalid_argument naming the bad field.
RetryPolicy parse_retry_policy(const nlohmann::json& spec, const RetryPolicy& base);

}  // namespace weft::engine
