// The single writer's cost of one webhook delivery, without HTTP: the
// writes a verified delivery causes, committed in batches as the group
// committer does on a real SQLite file with synchronous=FULL —
//   the run's insert with its audit record, the step's history event
//   (fenced by the lease), the run's end (fenced, releases the lease).
// Prints, per batch size, the writer thread's CPU time and wall time per
// delivery: the figure that bounds webhook deliveries per second, measured
// without the rest of the server sharing the cores. Asserts nothing.
// `--smoke` is the CI form.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/ids.hpp"
#include "engine/allocator_tuning.hpp"
#include "engine/clock.hpp"
#include "engine/sqlite_store.hpp"

namespace {

using namespace weft::engine;

constexpr const char* kOwner = "bench-node";

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

int64_t now_ms() { return SystemClock().now_ms(); }

Run delivered_run(int n) {
  Run run;
  run.id = weft::engine::new_time_ordered_uuid(now_ms());
  run.workflow = "github_hook";
  run.script_hash = "5f2b8c0e3d1a4f6b9c7e2d8a1b3c5e7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d";
  run.input = {{"action", "opened"}, {"n", n}};
  run.status = RunStatus::Running;
  run.created_at = run.updated_at = now_ms();
  run.idempotency_key = "delivery-" + std::to_string(n);
  run.root_id = run.id;
  run.lease_owner = kOwner;
  run.lease_expires = run.created_at + 30'000;
  return run;
}

WebhookDelivery audit_of(const Run& run) {
  WebhookDelivery delivery;
  delivery.route = "/hooks/github";
  delivery.workflow = run.workflow;
  delivery.provider = "github";
  delivery.verified = true;
  delivery.dedup_key = run.idempotency_key;
  delivery.run_id = run.id;
  delivery.status = 202;
  delivery.outcome = "started";
  delivery.duration_us = 150;
  delivery.remote = "127.0.0.1";
  delivery.received_at = run.created_at;
  return delivery;
}

PutEvent step_of(const Run& run) {
  HistoryEvent event;
  event.run_id = run.id;
  event.seq = 1;
  event.name = "handle";
  event.status = EventStatus::Completed;
  event.started_at = event.ended_at = now_ms();
  event.result = run.input["n"];
  return {event};
}

struct Cost {
  double cpu_us[3] = {};  // writer thread CPU per delivery: start, step, end
  double wall_us = 0;     // writer wall time (fsync included) per delivery
  double cpu_total() const { return cpu_us[0] + cpu_us[1] + cpu_us[2]; }
};

// Commits `rounds` batches of each kind, `batch` deliveries each.
Cost measure(Store& store, int batch, int rounds, int& numbered) {
  Cost cost;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Run> runs;
    for (int i = 0; i < batch; ++i) runs.push_back(delivered_run(numbered++));
    std::vector<RunWrite> starts, steps, ends;
    for (const auto& run : runs) {
      starts.push_back({run.id, "", {InsertRun{run}}});
      starts.push_back({"", "", {AppendDelivery{audit_of(run)}}});
      steps.push_back({run.id, kOwner, {step_of(run)}});
      ends.push_back({run.id, kOwner,
                      {UpdateRun{run.id, RunStatus::Completed, run.input["n"], nullptr, 0, true,
                                 {}, now_ms()}}});
    }
    std::vector<RunWrite>* kinds[] = {&starts, &steps, &ends};
    for (int kind = 0; kind < 3; ++kind) {
      double cpu_began = thread_cpu_seconds();
      auto began = std::chrono::steady_clock::now();
      store.runs().commit(*kinds[kind]);
      cost.wall_us += std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      cost.cpu_us[kind] += thread_cpu_seconds() - cpu_began;
    }
  }
  double per_delivery = 1e6 / (static_cast<double>(batch) * rounds);
  for (double& cpu : cost.cpu_us) cpu *= per_delivery;
  cost.wall_us *= per_delivery;
  return cost;
}

}  // namespace

int main(int argc, char** argv) {
  weft::engine::tune_allocator();  // as weft itself does
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  auto dir = std::filesystem::temp_directory_path() / ("weft-bench-commit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store_owner = open_sqlite_store((dir / "weft.db").string(), {SqliteOptions::Sync::Full});
  auto& store = *store_owner;
    int numbered = 0;
    measure(store, 100, smoke ? 2 : 50, numbered);  // warm the page cache and the WAL
    for (int batch : {1, 25, 100, 400}) {
      int rounds = smoke ? 2 : std::max(10, (batch == 1 ? 2'000 : 10'000) / batch);
      Cost cost = measure(store, batch, rounds, numbered);
      std::printf("writer per delivery, %3d deliveries per batch: %6.1f us CPU (start %5.1f, step %5.1f,"
                  " end %5.1f), %7.1f us wall; %d deliveries\n",
                  batch, cost.cpu_total(), cost.cpu_us[0], cost.cpu_us[1], cost.cpu_us[2],
                  cost.wall_us, batch * rounds);
      std::fflush(stdout);
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
