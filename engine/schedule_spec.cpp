// Validation of schedule declarations (see schedule_spec.hpp).
#include "engine/schedule_spec.hpp"

#include <stdexcept>

namespace weft::engine {

void validate_schedule(const ScheduleSpec& spec) {
  CronExpr::parse(spec.expr);  // CronSyntaxError names the field
  if (spec.zone != "UTC") TimeZone::load(spec.zone);
  if (spec.overlap != "skip" && spec.overlap != "buffer_one" && spec.overlap != "allow")
    throw std::invalid_argument("weft.cron: overlap must be \"skip\", \"buffer_one\" or \"allow\"");
  if (spec.catch_up != "none" && spec.catch_up != "latest" && spec.catch_up != "all")
    throw std::invalid_argument("weft.cron: catch_up must be \"none\", \"latest\" or \"all\"");
  if (spec.catch_up_window_ms <= 0)
    throw std::invalid_argument("weft.cron: catch_up_window must be a duration > 0");
}

}  // namespace weft::engine
