// History pages from the store (issue 10): only the page is read, pages
// follow `after_seq`, and the attempts of one seq are never split.
#include <catch2/catch.hpp>

#include "engine/store_open.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace weft::engine;

namespace {

HistoryEvent event(int64_t seq, int attempt) {
  HistoryEvent e;
  e.run_id = "r1";
  e.seq = seq;
  e.attempt = attempt;
  e.name = "s" + std::to_string(seq);
  e.status = EventStatus::Completed;
  e.started_at = e.ended_at = 1;
  return e;
}

std::vector<std::pair<int64_t, int>> keys(const HistoryPage& page) {
  std::vector<std::pair<int64_t, int>> out;
  for (const auto& e : page.events) out.emplace_back(e.seq, e.attempt);
  return out;
}

}  // namespace

TEST_CASE("issue 10: history pages by after_seq never split a seq's attempts", "[store][history][issue10]") {
  weft::testing::TempDir dir;
  auto store_owner = weft::engine::open_store((dir.path() / "weft.db").string());
  auto& store = *store_owner;
  Run run;
  run.id = run.root_id = "r1";
  run.workflow = "w";
  RunWrite write{"r1", "", {InsertRun{run}}};
  // seq 1: one attempt; seq 2: three attempts; seq 3..5: one each.
  for (auto [seq, attempt] : std::vector<std::pair<int64_t, int>>{{1, 1}, {2, 1}, {2, 2}, {2, 3}, {3, 1}, {4, 1}, {5, 1}})
    write.mutations.push_back(PutEvent{event(seq, attempt)});
  REQUIRE(store.runs().commit({write}) == std::vector<bool>{true});

  auto first = store.runs().history_page("r1", 0, 3);  // 3 rows would cut seq 2: the page stops at seq 1
  CHECK(keys(first) == std::vector<std::pair<int64_t, int>>{{1, 1}});
  CHECK(first.more);
  auto second = store.runs().history_page("r1", 1, 2);  // seq 2 alone has 3 attempts: it comes whole
  CHECK(keys(second) == std::vector<std::pair<int64_t, int>>{{2, 1}, {2, 2}, {2, 3}});
  CHECK(second.more);
  auto third = store.runs().history_page("r1", 2, 2);
  CHECK(keys(third) == std::vector<std::pair<int64_t, int>>{{3, 1}, {4, 1}});
  CHECK(third.more);
  auto last = store.runs().history_page("r1", 4, 2);
  CHECK(keys(last) == std::vector<std::pair<int64_t, int>>{{5, 1}});
  CHECK_FALSE(last.more);
  auto exact = store.runs().history_page("r1", 2, 3);
  CHECK(exact.events.size() == 3);
  CHECK_FALSE(exact.more);
  CHECK(store.runs().history_page("r1", 5, 10).events.empty());
  CHECK(store.runs().history_page("nobody", 0, 10).events.empty());
}
