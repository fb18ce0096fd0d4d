// weft schedules: the cron schedules of a workflows folder and their next
// fire times (in UTC and in the schedule's zone).
#include <cstdio>
#include <iostream>

#include "api/cli_args.hpp"
#include "api/commands.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "engine/clock.hpp"
#include "engine/json_limits.hpp"
#include "engine/schedules.hpp"

namespace weft::api {

int cmd_schedules(const CliArgs& args) {
  // Next fire times follow from the cron expressions alone: no database is
  // read, and none is created.
  dsl::LuaWorkflowCatalog catalog(args.get_or("workflows", "."));
  for (const auto& problem : catalog.add_folder())
    std::fprintf(stderr, "weft: warning: %s\n", problem.c_str());
  auto upcoming = engine::upcoming_fires(catalog, engine::SystemClock().now_ms());
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& fire : upcoming)
      out.push_back({{"workflow", fire.workflow},
                     {"cron", fire.schedule.expr},
                     {"zone", fire.schedule.zone},
                     {"overlap", fire.schedule.overlap},
                     {"catch_up", fire.schedule.catch_up},
                     {"next_fire", fire.next_fire ? nlohmann::json(engine::iso_utc(*fire.next_fire))
                                                  : nlohmann::json(nullptr)}});
    std::cout << engine::dump_json(out, 2) << std::endl;
    return 0;
  }
  std::printf("%-24s %-22s %-18s %s\n", "WORKFLOW", "CRON", "ZONE", "NEXT FIRE (UTC)");
  for (const auto& fire : upcoming)
    std::printf("%-24s %-22s %-18s %s\n", fire.workflow.c_str(), fire.schedule.expr.c_str(),
                fire.schedule.zone.c_str(),
                fire.next_fire ? engine::iso_utc(*fire.next_fire).c_str() : "never");
  return 0;
}

}  // namespace weft::api
