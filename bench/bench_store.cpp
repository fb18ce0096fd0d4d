// weft.store benchmark: store.find over a large collection, the query a
// sync scheduler runs (status, priority in a list, next_at <= now, ordered,
// limit 100). Prints figures; asserts nothing. `--smoke` is the CI form.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "engine/sqlite_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using weft::engine::DocumentQuery;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  const int documents = smoke ? 5'000 : 100'000;
  const int queries = smoke ? 20 : 200;
  auto dir = std::filesystem::temp_directory_path() / ("weft-bench-store-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    // Loading is not what is measured: no fsync per document here.
    auto store_owner =
        weft::engine::open_sqlite_store((dir / "store.db").string(), {weft::engine::SqliteOptions::Sync::Off});
  auto& store = *store_owner;
    std::mt19937 random(42);
    const char* statuses[] = {"pending", "done", "failed", "claimed"};
    const char* priorities[] = {"high", "normal", "low"};
    auto load_start = Clock::now();
    for (int i = 0; i < documents; ++i) {
      nlohmann::json doc = {{"status", statuses[random() % 4]},
                            {"priority", priorities[random() % 3]},
                            {"next_at", static_cast<int64_t>(random() % 1'000'000)},
                            {"email", "lead" + std::to_string(i) + "@example.com"}};
      store.documents().put_document("leads", "lead-" + std::to_string(i), doc, -1, i);
    }
    double load_ms = ms_since(load_start);
    DocumentQuery query;
    query.where = {{"status", "pending"},
                   {"priority", {{"in", {"high", "normal"}}}},
                   {"next_at", {{"lte", 500'000}}}};
    query.order = {"priority", "next_at"};
    query.limit = 100;
    auto first_start = Clock::now();
    size_t found = store.documents().find_documents("leads", query).size();  // creates the indexes
    double first_ms = ms_since(first_start);
    auto start = Clock::now();
    for (int i = 0; i < queries; ++i) {
      query.where["next_at"]["lte"] = 400'000 + i * 1000;
      found += store.documents().find_documents("leads", query).size();
    }
    double per_query = ms_since(start) / queries;
    std::printf("store.find: %d documents (loaded in %.0f ms); first query with index creation %.1f ms;"
                " then %.3f ms per query (status = …, priority in …, next_at <= …, order, limit 100;"
                " %zu rows returned in all)\n",
                documents, load_ms, first_ms, per_query, found);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
