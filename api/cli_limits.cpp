// weft limits: the rate limits with state in a database (every process's
// draws), as GET /v1/limits gives them: tokens left, slowdown in force,
// runs waiting, push-backs seen. It loads no workflows, so it shows each
// key's state as stored, without its declaration (a server shows both).
#include <cstdio>
#include <iostream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "engine/clock.hpp"
#include "engine/json_limits.hpp"
#include "engine/rate_limiter.hpp"
#include "engine/schedules.hpp"

namespace weft::api {

int cmd_limits(const CliArgs& args) {
  auto store = open_existing_store(args);
  engine::RateLimiter limiter(&store->limits());
  auto statuses = limiter.status(engine::SystemClock().now_ms(), args.count_or("limit", 100));
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& status : statuses) out.push_back(engine::to_json(status));
    std::cout << engine::dump_json(out, 2) << std::endl;
    return 0;
  }
  std::printf("%-32s %10s %9s %8s %10s  %s\n", "KEY", "AVAILABLE", "SLOWDOWN", "WAITING", "PUSHBACKS",
              "UPDATED (UTC)");
  for (const auto& status : statuses)
    std::printf("%-32s %10s %9.2f %8lld %10lld  %s\n", status.key.c_str(),
                status.available < 0 ? "full" : std::to_string(static_cast<long long>(status.available)).c_str(),
                status.slowdown, static_cast<long long>(status.waiting), static_cast<long long>(status.pushbacks),
                engine::iso_utc(status.updated_at / 1000).c_str());
  return 0;
}

}  // namespace weft::api
