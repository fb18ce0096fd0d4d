// weft queues: the queues a workflows folder declares, with what the
// database holds for each (active, waiting by priority, delayed, oldest
// wait) — the same figures as GET /v1/queues.
#include <cstdio>
#include <iostream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "engine/clock.hpp"
#include "engine/json_limits.hpp"

namespace weft::api {

int cmd_queues(const CliArgs& args) {
  dsl::LuaWorkflowCatalog catalog(args.get_or("workflows", "."));
  for (const auto& problem : catalog.add_folder())
    std::fprintf(stderr, "weft: warning: %s\n", problem.c_str());
  auto store = open_existing_store(args);
  int64_t now = engine::SystemClock().now_ms();
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& queue : catalog.queues())
    queues.push_back(engine::queue_status_json(queue, store->runs().queue_stats(queue, now), now));
  if (args.flag("json")) {
    std::cout << engine::dump_json(queues, 2) << std::endl;
    return 0;
  }
  std::printf("%-24s %-24s %7s %7s %8s %8s %12s\n", "QUEUE", "WORKFLOW", "LIMIT", "ACTIVE", "WAITING",
              "DELAYED", "OLDEST WAIT");
  for (const auto& queue : queues)
    std::printf("%-24s %-24s %7lld %7lld %8lld %8lld %11.1fs\n", queue["name"].get<std::string>().c_str(),
                queue["workflow"].get<std::string>().c_str(), queue["concurrency"].get<long long>(),
                queue["active"].get<long long>(), queue["waiting"].get<long long>(),
                queue["delayed"].get<long long>(), queue["oldest_waiting_ms"].get<double>() / 1000.0);
  return 0;
}

}  // namespace weft::api
