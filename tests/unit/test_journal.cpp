// The journal alone (no Lua, no storage): replay, execution, retries,
// open events and non-determinism.
#include <catch2/catch.hpp>

#include "engine/replay.hpp"

using namespace weft::engine;
using Action = Decision::Action;

namespace {

HistoryEvent event(int64_t seq, EventKind kind, const std::string& name, EventStatus status,
                   int attempt = 1, int64_t fire_at = 0) {
  const std::string run_id = "run-1";
  HistoryEvent e;
  e.run_id = run_id;
  e.seq = seq;
  e.kind = kind;
  e.name = name;
  e.status = status;
  e.attempt = attempt;
  e.fire_at = fire_at;
  e.result = name + "-result";
  return e;
}

}  // namespace

TEST_CASE("a fresh journal executes every call with increasing sequence numbers", "[journal]") {
  Journal journal;
  auto a = journal.next("1", EventKind::Step, "a", 0);
  auto b = journal.next("2", EventKind::Now, "now", 0);
  CHECK(a.action == Action::Execute);
  CHECK(a.seq == 1);
  CHECK(a.attempt == 1);
  CHECK(b.action == Action::Execute);
  CHECK(b.seq == 2);
}

TEST_CASE("recorded events are replayed, then execution continues", "[journal]") {
  Journal journal({event(1, EventKind::Step, "a", EventStatus::Completed),
                   event(2, EventKind::Uuid, "uuid", EventStatus::Completed)},
                  {});
  auto a = journal.next("1", EventKind::Step, "a", 0);
  REQUIRE(a.action == Action::Replay);
  CHECK(a.recorded->result == "a-result");
  auto u = journal.next("2", EventKind::Uuid, "uuid", 0);
  REQUIRE(u.action == Action::Replay);
  CHECK(u.recorded->result == "uuid-result");
  CHECK(journal.next("3", EventKind::Step, "c", 0).action == Action::Execute);
}

TEST_CASE("a different name or kind at a position is non-determinism", "[journal]") {
  Journal journal({event(1, EventKind::Step, "charge_card", EventStatus::Completed)}, {});
  auto d = journal.next("1", EventKind::Step, "send_email", 0);
  REQUIRE(d.action == Action::Mismatch);
  CHECK_THAT(d.message, Catch::Contains("position 1") && Catch::Contains("step 'charge_card'") &&
                            Catch::Contains("step 'send_email'"));

  Journal other({event(1, EventKind::Step, "a", EventStatus::Completed)}, {});
  auto s = other.next("1", EventKind::Sleep, "sleep", 0);
  REQUIRE(s.action == Action::Mismatch);
  CHECK_THAT(s.message, Catch::Contains("sleep 'sleep'"));
}

TEST_CASE("a retrying step parks until its retry time, then runs the next attempt", "[journal]") {
  std::vector<HistoryEvent> history{event(1, EventKind::Step, "a", EventStatus::Retrying, 1, 5000)};
  Journal early(history, {});
  auto parked = early.next("1", EventKind::Step, "a", 4999);
  CHECK(parked.action == Action::Park);
  CHECK(parked.wake_at == 5000);
  Journal due(history, {});
  auto next = due.next("1", EventKind::Step, "a", 5000);
  CHECK(next.action == Action::Execute);
  CHECK(next.attempt == 2);
}

TEST_CASE("a failed step replays its failure", "[journal]") {
  Journal journal({event(1, EventKind::Step, "a", EventStatus::Retrying, 1, 10),
                   event(1, EventKind::Step, "a", EventStatus::Failed, 2)},
                  {});
  auto d = journal.next("1", EventKind::Step, "a", 100);
  REQUIRE(d.action == Action::Replay);
  CHECK(d.recorded->status == EventStatus::Failed);
  CHECK(d.recorded->attempt == 2);
}

TEST_CASE("a pending sleep parks until its fire time and completes after", "[journal]") {
  std::vector<HistoryEvent> history{event(1, EventKind::Sleep, "sleep", EventStatus::Pending, 1, 9000)};
  CHECK(Journal(history, {}).next("1", EventKind::Sleep, "sleep", 8999).action == Action::Park);
  CHECK(Journal(history, {}).next("1", EventKind::Sleep, "sleep", 9000).action == Action::Complete);
}

TEST_CASE("wait_event takes inbox events in order, even those sent before the wait", "[journal]") {
  std::vector<InboxEvent> inbox{{7, "run-1", "approval", "first", 0}, {8, "run-1", "approval", "second", 0},
                                {9, "run-1", "other", "x", 0}};
  Journal journal({}, inbox);
  auto first = journal.next("1", EventKind::WaitEvent, "approval", 0);
  REQUIRE(first.action == Action::Complete);
  CHECK(first.inbox->id == 7);
  journal.take_inbox(7);
  auto second = journal.next("2", EventKind::WaitEvent, "approval", 0);
  REQUIRE(second.action == Action::Complete);
  CHECK(second.inbox->id == 8);
  journal.take_inbox(8);
  CHECK(journal.next("3", EventKind::WaitEvent, "approval", 0).action == Action::Execute);
}

TEST_CASE("a pending wait times out at its fire time", "[journal]") {
  std::vector<HistoryEvent> history{
      event(1, EventKind::WaitEvent, "approval", EventStatus::Pending, 1, 500)};
  CHECK(Journal(history, {}).next("1", EventKind::WaitEvent, "approval", 499).action == Action::Park);
  auto due = Journal(history, {}).next("1", EventKind::WaitEvent, "approval", 500);
  CHECK(due.action == Action::Complete);
  CHECK(due.inbox == nullptr);
}

TEST_CASE("calls are matched by path, whatever order their branches run in", "[journal]") {
  HistoryEvent b1 = event(2, EventKind::Step, "fetch-b", EventStatus::Completed);
  b1.path = "1/2/1";
  HistoryEvent a1 = event(3, EventKind::Step, "fetch-a", EventStatus::Completed);
  a1.path = "1/1/1";
  Journal journal({b1, a1}, {});
  auto a = journal.next("1/1/1", EventKind::Step, "fetch-a", 0);
  REQUIRE(a.action == Action::Replay);
  CHECK(a.seq == 3);
  CHECK(a.recorded->result == "fetch-a-result");
  auto b = journal.next("1/2/1", EventKind::Step, "fetch-b", 0);
  REQUIRE(b.action == Action::Replay);
  CHECK(b.seq == 2);
  auto fresh = journal.next("1/1/2", EventKind::Step, "store-a", 0);
  CHECK(fresh.action == Action::Execute);
  CHECK(fresh.seq == 4);  // after every recorded one
  CHECK(fresh.path == "1/1/2");
}

TEST_CASE("non-determinism inside a branch is reported at its path", "[journal]") {
  HistoryEvent recorded = event(5, EventKind::Step, "charge", EventStatus::Completed);
  recorded.path = "4/2/1";
  Journal journal({recorded}, {});
  auto d = journal.next("4/2/1", EventKind::Sleep, "sleep", 0);
  REQUIRE(d.action == Action::Mismatch);
  CHECK_THAT(d.message, Catch::Contains("position 4/2/1") && Catch::Contains("step 'charge'"));
}

TEST_CASE("events recorded without a path are the body's calls at their sequence number",
          "[journal]") {
  Journal journal({event(1, EventKind::Step, "a", EventStatus::Completed)}, {});
  auto a = journal.next("1", EventKind::Step, "a", 0);
  REQUIRE(a.action == Action::Replay);
  CHECK(a.path == "1");
}
