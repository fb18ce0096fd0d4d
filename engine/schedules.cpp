// The schedule runner (see schedules.hpp).
//
// Design: state per schedule (last fire handled, last run, a buffered fire)
// is a document of the reserved collection "weft.schedules". Two processes
// may tick the same schedule at once: both start the same fire with the
// same idempotency key and get the same run, so nothing fires twice.
#include "engine/schedules.hpp"

#include <ctime>

namespace weft::engine {
namespace {

const char* const kCollection = "weft.schedules";
// A fire this recent is on time, not missed (it waited for the next tick).
constexpr int64_t kOnTimeMs = 60'000;
constexpr size_t kMaxCatchUp = 100;

std::string state_id(const std::string& workflow, const ScheduleSpec& schedule) {
  return workflow + "|" + schedule.key();
}

}  // namespace

std::string iso_utc(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::optional<int64_t> parse_rfc3339(std::string_view text) {
  auto digits = [&](size_t at, size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    size_t first = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == first) return std::nullopt;
  }
  int64_t offset = 0;  // seconds east of UTC
  if (at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    // UTC
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (text[at] == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::tm normalised = tm;
  int64_t seconds = static_cast<int64_t>(timegm(&normalised));
  if (normalised.tm_mday != *day) return std::nullopt;  // February 30th and the like
  return seconds - offset;
}

ScheduleRunner::ScheduleRunner(Store& store, WorkflowCatalog& catalog, Starter start)
    : store_(store), catalog_(catalog), start_(std::move(start)) {}

void ScheduleRunner::tick(int64_t now_ms) {
  for (const auto& script : catalog_.all())
    for (const auto& schedule : script.schedules) tick_schedule(script.workflow, schedule, now_ms);
}

ScheduleRunner::State ScheduleRunner::load(const std::string& id) const {
  State state;
  if (auto doc = store_.documents().get_document(kCollection, id)) {
    state.last_fire = doc->doc.value("last_fire", int64_t{0});
    state.last_run_id = doc->doc.value("last_run_id", std::string());
    state.buffered = doc->doc.value("buffered", int64_t{0});
  }
  return state;
}

void ScheduleRunner::save(const std::string& id, const State& state, int64_t now_ms) {
  store_.documents().put_document(kCollection, id,
                      {{"last_fire", state.last_fire},
                       {"last_run_id", state.last_run_id},
                       {"buffered", state.buffered}},
                      -1, now_ms);
}

std::vector<int64_t> ScheduleRunner::due_fires(const ScheduleSpec& schedule, const State& state,
                                               int64_t now_ms, int64_t ticked_at) const {
  CronExpr cron = CronExpr::parse(schedule.expr);
  TimeZone zone = schedule.zone == "UTC" ? TimeZone::utc() : TimeZone::load(schedule.zone);
  int64_t now = now_ms / 1000;
  int64_t from = std::max(state.last_fire, now - schedule.catch_up_window_ms / 1000);
  std::vector<int64_t> fires;
  for (auto at = cron.next_after(from, zone); at && *at <= now; at = cron.next_after(*at, zone)) {
    fires.push_back(*at);
    if (fires.size() > kMaxCatchUp) fires.erase(fires.begin());  // keep the most recent
  }
  if (fires.empty()) return fires;
  if (ticked_at > 0) {  // due since our last tick: not missed, only late
    std::erase_if(fires, [&](int64_t at) { return at * 1000 <= ticked_at; });
    return fires;
  }
  auto on_time = [&](int64_t at) { return now_ms - at * 1000 <= kOnTimeMs; };
  if (schedule.catch_up == "all") return fires;
  if (schedule.catch_up == "latest") return {fires.back()};
  return on_time(fires.back()) ? std::vector<int64_t>{fires.back()} : std::vector<int64_t>{};
}

bool ScheduleRunner::previous_running(const State& state) const {
  if (state.last_run_id.empty()) return false;
  auto run = store_.runs().get_run(state.last_run_id);
  return run && !is_finished(run->status);
}

void ScheduleRunner::fire(const std::string& workflow, const ScheduleSpec& schedule, int64_t at,
                          State& state) {
  nlohmann::json input = {{"scheduled_at", iso_utc(at)}, {"schedule", schedule.expr}};
  state.last_run_id = start_(workflow, input, schedule.key() + "|" + std::to_string(at));
}

void ScheduleRunner::tick_schedule(const std::string& workflow, const ScheduleSpec& schedule,
                                   int64_t now_ms) {
  std::string id = state_id(workflow, schedule);
  int64_t ticked_at = 0;
  {
    std::lock_guard lock(ticks_mutex_);
    int64_t& last = ticked_at_[id];
    // A process that stalled longer than kOnTimeMs (suspended, stopped)
    // was as good as down: what came due meanwhile follows catch_up.
    if (last > 0 && now_ms - last <= kOnTimeMs) ticked_at = last;
    last = now_ms;
  }
  State state = load(id);
  if (state.last_fire == 0) {  // a new schedule starts from now: no past fires
    state.last_fire = now_ms / 1000;
    save(id, state, now_ms);
    return;
  }
  std::vector<int64_t> fires = due_fires(schedule, state, now_ms, ticked_at);
  bool changed = !fires.empty();
  if (state.buffered && !previous_running(state)) {
    fire(workflow, schedule, state.buffered, state);
    state.buffered = 0;
    changed = true;
  }
  for (int64_t at : fires) {
    if (schedule.overlap != "allow" && previous_running(state)) {
      if (schedule.overlap == "buffer_one") state.buffered = at;  // the latest waits, earlier ones drop
      continue;
    }
    fire(workflow, schedule, at, state);
  }
  if (!fires.empty()) state.last_fire = std::max(state.last_fire, fires.back());
  // Fires skipped by catch_up still count as handled.
  state.last_fire = std::max(state.last_fire, now_ms / 1000);
  if (changed) save(id, state, now_ms);
}

std::vector<UpcomingFire> upcoming_fires(const WorkflowCatalog& catalog, int64_t now_ms) {
  std::vector<UpcomingFire> out;
  for (const auto& script : catalog.all())
    for (const auto& schedule : script.schedules) {
      CronExpr cron = CronExpr::parse(schedule.expr);
      TimeZone zone = schedule.zone == "UTC" ? TimeZone::utc() : TimeZone::load(schedule.zone);
      out.push_back({script.workflow, schedule, cron.next_after(now_ms / 1000, zone)});
    }
  return out;
}

}  // namespace weft::engine
