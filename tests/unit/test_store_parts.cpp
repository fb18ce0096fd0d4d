// A Store is one implementation per storage concern, and the concerns need
// not share a backend: here runs live in one SQLite file and weft.blob
// objects in another, and a workflow's blobs land only in the second.
#include <catch2/catch.hpp>

#include "engine/sqlite_store.hpp"
#include "engine/store_open.hpp"
#include "tests/support/engine_fixture.hpp"

using namespace weft::engine;
using weft::testing::EngineFixture;

namespace {

// Every concern on runs.db except blobs, which go to blobs.db.
std::unique_ptr<Store> runs_and_blobs_apart(const std::filesystem::path& dir) {
  auto runs = std::make_shared<SqliteDatabase>((dir / "runs.db").string(), SqliteOptions{});
  auto blobs = std::make_shared<SqliteDatabase>((dir / "blobs.db").string(), SqliteOptions{});
  return std::make_unique<Store>(StoreParts{
      std::make_unique<SqliteRunStore>(runs), std::make_unique<SqliteScriptStore>(runs),
      std::make_unique<SqliteDocumentStore>(runs), std::make_unique<SqliteBlobStore>(blobs),
      std::make_unique<SqliteSecretStore>(runs), std::make_unique<SqliteDeliveryStore>(runs),
      std::make_unique<SqliteRateLimitStore>(runs)});
}

}  // namespace

TEST_CASE("blobs can live in another backend than runs", "[store]") {
  EngineFixture f(runs_and_blobs_apart);
  f.write_workflow("archiver", R"lua(
    local weft = require 'weft'
    local blob = require 'weft.blob'
    return weft.workflow { name = 'archiver', run = function(ctx, input)
      ctx:step('save', function() blob.put('raw/a.json', { id = 'a' }) end)
      return ctx:step('count', function() return #blob.list('raw/') end)
    end }
  )lua");
  auto run = f.run(f.start("archiver").id);
  INFO(run.error.dump());
  REQUIRE(run.status == RunStatus::Completed);
  CHECK(run.result == 1);

  auto blobs_file = open_store((f.dir.path() / "blobs.db").string());
  auto runs_file = open_store((f.dir.path() / "runs.db").string());
  CHECK(blobs_file->blobs().get_blob("", "raw/a.json").has_value());
  CHECK_FALSE(runs_file->blobs().get_blob("", "raw/a.json").has_value());
  CHECK(runs_file->runs().get_run(run.id).has_value());
  CHECK_FALSE(blobs_file->runs().get_run(run.id).has_value());
}

TEST_CASE("a store refuses to be made without every concern", "[store]") {
  weft::testing::TempDir dir;
  auto database = std::make_shared<SqliteDatabase>((dir.path() / "w.db").string(), SqliteOptions{});
  StoreParts parts;
  parts.runs = std::make_unique<SqliteRunStore>(database);
  CHECK_THROWS_WITH(Store(std::move(parts)), Catch::Contains("every storage concern"));
}
