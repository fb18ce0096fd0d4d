// weft runs and weft history: reading runs and their timelines, as JSON
// for programs or as aligned tables for people.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "engine/json_limits.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

std::string utc_time(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

std::string duration_text(int64_t ms) {
  char text[32];
  if (ms < 1000)
    std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(ms));
  else if (ms < 60'000)
    std::snprintf(text, sizeof text, "%.2fs", static_cast<double>(ms) / 1000.0);
  else
    std::snprintf(text, sizeof text, "%.1fm", static_cast<double>(ms) / 60'000.0);
  return text;
}

std::string clip(std::string text, size_t width) {
  for (auto& c : text)
    if (c == '\n' || c == '\t') c = ' ';
  if (text.size() > width) text = text.substr(0, width - 1) + "~";
  return text;
}

std::string event_detail(const engine::HistoryEvent& e) {
  if (!e.error.is_null())
    return e.error.value("kind", "error") + ": " + e.error.value("message", "");
  if (e.status == engine::EventStatus::Pending && e.fire_at)
    return "until " + utc_time(e.fire_at);
  return e.result.is_null() ? "" : engine::dump_json(e.result);
}

// Reads the run's history page by page and hands each event to `print`:
// never the whole history in memory.
constexpr int64_t kHistoryPage = 1000;

template <class Print>
void each_event(engine::Store& store, const std::string& run_id, Print&& print) {
  int64_t after = 0;
  for (;;) {
    engine::HistoryPage page = store.runs().history_page(run_id, after, kHistoryPage);
    for (const auto& event : page.events) print(event);
    if (!page.more || page.events.empty()) return;
    after = page.events.back().seq;
  }
}

// `value.dump(2)` as an element of a pretty-printed array.
std::string indented(const json& value) {
  std::string text = "  " + engine::dump_json(value, 2);
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 3))
    text.replace(at, 1, "\n  ");
  return text;
}

}  // namespace

int cmd_runs(const CliArgs& args) {
  engine::RunFilter filter;
  if (auto status = args.get("status")) {
    filter.status = engine::run_status_from(*status);
    if (!filter.status) throw UsageError("--status: unknown status '" + *status + "'");
  }
  filter.workflow = args.get_or("workflow", "");
  filter.forked_from = args.get_or("forked-from", "");
  filter.limit = std::stoll(args.get_or("limit", "1000"));
  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  auto runs = store.runs().list_runs(filter);
  if (args.flag("json")) {
    json out = json::array();
    for (const auto& run : runs) out.push_back(engine::to_json(run));
    std::cout << engine::dump_json(out, 2) << std::endl;
    return 0;
  }
  std::printf("%-38s %-22s %-12s %-19s %s\n", "ID", "WORKFLOW", "STATUS", "CREATED (UTC)",
              "UPDATED");
  for (const auto& run : runs)
    std::printf("%-38s %-22s %-12s %-19s +%s\n", run.id.c_str(), clip(run.workflow, 22).c_str(),
                std::string(engine::to_string(run.status)).c_str(),
                utc_time(run.created_at).c_str(),
                duration_text(run.updated_at - run.created_at).c_str());
  return 0;
}

int cmd_history(const CliArgs& args) {
  std::string run_id = args.positional(0, "run id (weft history RUN_ID)");
  auto store_owner = open_existing_store(args);
  engine::Store& store = *store_owner;
  auto run = store.runs().get_run(run_id);
  if (!run) {
    std::fprintf(stderr, "weft: no run %s\n", run_id.c_str());
    return 1;
  }
  if (args.flag("json")) {  // the same text as one pretty-printed array, written as it is read
    bool first = true;
    each_event(store, run_id, [&](const engine::HistoryEvent& event) {
      std::cout << (first ? "[\n" : ",\n") << indented(engine::to_json(event));
      first = false;
    });
    std::cout << (first ? "[]" : "\n]") << std::endl;
    return 0;
  }
  std::printf("run %s  workflow %s  status %s  created %s UTC\n", run->id.c_str(),
              run->workflow.c_str(), std::string(engine::to_string(run->status)).c_str(),
              utc_time(run->created_at).c_str());
  std::printf("%5s %-10s %3s  %-12s %-24s %-10s %9s %9s  %s\n", "SEQ", "PATH", "TRY", "KIND", "NAME",
              "STATUS", "AT", "TOOK", "RESULT / ERROR");
  each_event(store, run_id, [&](const engine::HistoryEvent& e) {
    int64_t took = e.ended_at ? e.ended_at - e.started_at : 0;
    // A call inside a branch ("4/2/1") is indented two spaces per level.
    auto depth = static_cast<size_t>(std::count(e.path.begin(), e.path.end(), '/') / 2);
    std::printf("%5lld %-10s %3d  %-12s %-24s %-10s %9s %9s  %s\n", static_cast<long long>(e.seq),
                clip(e.path, 10).c_str(), e.attempt, std::string(engine::to_string(e.kind)).c_str(),
                clip(std::string(2 * depth, ' ') + e.name, 24).c_str(),
                std::string(engine::to_string(e.status)).c_str(),
                ("+" + duration_text(e.started_at - run->created_at)).c_str(),
                e.ended_at ? duration_text(took).c_str() : "-",
                clip(event_detail(e), 70).c_str());
  });
  if (!run->error.is_null())
    std::printf("error: %s: %s\n", run->error.value("kind", "error").c_str(),
                run->error.value("message", "").c_str());
  else if (run->status == engine::RunStatus::Completed)
    std::printf("result: %s\n", clip(engine::dump_json(run->result), 200).c_str());
  return 0;
}

}  // namespace weft::api
