// The group committer against a real SQLite file: every submitter is told
// once, in submission order, both when the writer tells a small batch
// itself and when a busy writer hands batches to its notifier; a callback
// may submit again; an empty write returns once all before it are stored.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "engine/group_commit.hpp"
#include "engine/store_open.hpp"
#include "tests/support/engine_fixture.hpp"

using weft::engine::AppendDelivery;
using weft::engine::GroupCommitter;
using weft::engine::RunWrite;
using weft::engine::Store;
using weft::engine::WebhookDelivery;

namespace {

RunWrite audit_write(int n) {
  WebhookDelivery delivery;
  delivery.route = "/hooks/test";
  delivery.dedup_key = std::to_string(n);
  delivery.status = 202;
  return {"", "", {AppendDelivery{delivery}}};
}

size_t stored_deliveries(Store& store) {
  weft::engine::DeliveryFilter filter;
  filter.limit = 100'000;
  return store.deliveries().list_deliveries(filter).size();
}

}  // namespace

TEST_CASE("the group committer tells every submitter once, in submission order", "[group_commit]") {
  weft::testing::TempDir dir;
  auto store_owner = weft::engine::open_store((dir.path() / "weft.db").string());
  auto& store = *store_owner;
  std::mutex mutex;
  std::vector<int> told;  // in the order submitters were told
  std::atomic<int> failed{0};
  {
    GroupCommitter committer(store);
    // One at a time: small batches, told by the writer itself.
    for (int i = 0; i < 20; ++i) REQUIRE(committer.commit_and_wait(audit_write(i)));
    // A burst: batches queue up behind the writer and go to the notifier.
    for (int i = 20; i < 3000; ++i)
      committer.submit(audit_write(i), [&, i](bool applied, std::exception_ptr error) {
        if (!applied || error) failed++;  // Catch2 asserts on the test's thread only
        std::lock_guard lock(mutex);
        told.push_back(i);
      });
    committer.commit_and_wait({});  // after every write submitted before it
    CHECK(stored_deliveries(store) == 3000);
  }  // the destructor returns only once every submitter has been told
  CHECK(failed == 0);
  REQUIRE(told.size() == 2980);
  for (size_t i = 0; i < told.size(); ++i) CHECK(told[i] == static_cast<int>(i) + 20);
}

TEST_CASE("a group commit callback may submit the next write", "[group_commit]") {
  weft::testing::TempDir dir;
  auto store_owner = weft::engine::open_store((dir.path() / "weft.db").string());
  auto& store = *store_owner;
  GroupCommitter committer(store);
  std::promise<int> last;
  std::function<void(int)> chain = [&](int n) {
    committer.submit(audit_write(n), [&, n](bool applied, std::exception_ptr) {
      if (applied && n < 50)
        chain(n + 1);
      else
        last.set_value(n);
    });
  };
  chain(1);
  CHECK(last.get_future().get() == 50);
  committer.commit_and_wait({});
  CHECK(stored_deliveries(store) == 50);
}
