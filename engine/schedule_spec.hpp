// A schedule as a workflow declares it: weft.cron "expr" or
// weft.cron { "expr", zone = ..., overlap = ..., catch_up = ... }.
#pragma once
#include <cstdint>
#include <string>

#include "engine/cron.hpp"
#include "engine/time_zone.hpp"

namespace weft::engine {

struct ScheduleSpec {
  std::string expr;
  std::string zone = "UTC";
  std::string overlap = "skip";     // skip | buffer_one | allow
  std::string catch_up = "latest";  // none | latest | all
  int64_t catch_up_window_ms = 86'400'000;

  // "cron|<expr>|<zone>": names the schedule in state and idempotency keys.
  std::string key() const { return "cron|" + expr + "|" + zone; }
};

// Checks every field (the expression, the zone, the options); throws
// std::invalid_argument naming the field at fault.
void validate_schedule(const ScheduleSpec& spec);

}  // namespace weft::engine
