// weft.store, weft.blob and weft.secrets used from workflow steps: what a
// step writes is there, queries find the right documents in order,
// compare-and-set refuses a stale version, and a secret's value never
// reaches history or errors.
#include <catch2/catch.hpp>

#include "stdlib/secret_records.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

std::string workflow(const std::string& name, const std::string& body) {
  return "local weft = require 'weft'\nlocal store = require 'weft.store'\n"
         "local blob = require 'weft.blob'\nlocal secrets = require 'weft.secrets'\n"
         "return weft.workflow { name = '" + name + "', retry = { attempts = 1 },\n"
         "secrets = { 'slack.token', 'nope' },\n"
         "run = function(ctx, input)\n" + body + "\nend }\n";
}

json run_workflow(EngineFixture& f, const std::string& name, const std::string& body,
                  RunStatus expected = RunStatus::Completed) {
  f.write_workflow(name, workflow(name, body));
  auto run = f.run(f.start(name).id);
  INFO(run.error.dump());
  REQUIRE(run.status == expected);
  return expected == RunStatus::Completed ? run.result : run.error;
}

}  // namespace

TEST_CASE("store.find filters, orders and limits documents", "[store]") {
  EngineFixture f;
  json ids = run_workflow(f, "finder", R"lua(
    return ctx:step("s", function()
      store.put("leads", "a", { status = "pending", priority = "high", next_at = 30 })
      store.put("leads", "b", { status = "pending", priority = "normal", next_at = 10 })
      store.put("leads", "c", { status = "pending", priority = "low", next_at = 5 })
      store.put("leads", "d", { status = "done", priority = "high", next_at = 1 })
      store.put("other", "e", { status = "pending", priority = "high", next_at = 0 })
      local function ids(found)
        local out = weft.array()
        for _, record in ipairs(found) do out[#out + 1] = record.id end
        return out
      end
      return {
        due = ids(store.find("leads", { where = { status = "pending",
                                                 priority = { ["in"] = { "high", "normal" } },
                                                 next_at = { lte = 30 } },
                                        order = { "next_at" } })),
        desc = ids(store.find("leads", { order = { "-next_at" }, limit = 2 })),
        none = ids(store.find("leads", { where = { status = "archived" } })),
      }
    end)
  )lua");
  CHECK(ids["due"] == json::array({"b", "a"}));
  CHECK(ids["desc"] == json::array({"a", "b"}));
  CHECK(ids["none"] == json::array());
}

TEST_CASE("store.put with if_version refuses a stale version with kind conflict", "[store]") {
  EngineFixture f;
  json result = run_workflow(f, "cas", R"lua(
    return ctx:step("s", function()
      local v1 = store.put("accounts", "acme", { owner = "kim" })
      local v2 = store.put("accounts", "acme", { owner = "lee" }, { if_version = v1 })
      local ok, err = pcall(store.put, "accounts", "acme", { owner = "max" }, { if_version = v1 })
      local created = pcall(store.put, "accounts", "new", { owner = "zoe" }, { if_version = 0 })
      local again = pcall(store.put, "accounts", "new", { owner = "zed" }, { if_version = 0 })
      local doc, version = store.get("accounts", "acme")
      return { v1 = v1, v2 = v2, kind = err.kind, owner = doc.owner, version = version,
               created = created, again = again, deleted = store.delete("accounts", "acme"),
               gone = store.get("accounts", "acme") == nil }
    end)
  )lua");
  CHECK(result["v1"] == 1);
  CHECK(result["v2"] == 2);
  CHECK(result["kind"] == "conflict");
  CHECK(result["owner"] == "lee");
  CHECK(result["version"] == 2);
  CHECK(result["created"] == true);
  CHECK(result["again"] == false);
  CHECK(result["deleted"] == true);
  CHECK(result["gone"] == true);
}

TEST_CASE("store.find rejects unsafe fields and unknown operators", "[store]") {
  EngineFixture f;
  json error = run_workflow(f, "bad_query", R"lua(
    return ctx:step("s", function()
      return store.find("leads", { where = { ["status') OR 1=1 --"] = "x" } })
    end)
  )lua", RunStatus::Failed);
  CHECK_THAT(error["message"].get<std::string>(), Catch::Contains("invalid field"));
  json op = run_workflow(f, "bad_op", R"lua(
    return ctx:step("s", function() return store.find("leads", { where = { n = { near = 3 } } }) end)
  )lua", RunStatus::Failed);
  CHECK_THAT(op["message"].get<std::string>(), Catch::Contains("unknown operator 'near'"));
}

TEST_CASE("data primitives refuse to run outside a step", "[store]") {
  EngineFixture f;
  json error = run_workflow(f, "outside", "return store.get('leads', 'a')", RunStatus::Failed);
  CHECK_THAT(error["message"].get<std::string>(),
             Catch::Contains("store.get may only be called inside ctx:step"));
}

TEST_CASE("blobs are stored by path, listed by prefix and limited in size", "[blob]") {
  EngineFixture f;
  json result = run_workflow(f, "blobs", R"lua(
    return ctx:step("s", function()
      blob.put("raw/2026/11/22/a.json", { id = "a" })
      blob.put("raw/2026/11/22/b.bin", "\0\1\2", { content_type = "application/x-test" })
      blob.put("raw/2026/11/23/c.json", { id = "c" })
      local data, content_type = blob.get("raw/2026/11/22/b.bin")
      local listed = {}
      for _, item in ipairs(blob.list("raw/2026/11/22/")) do listed[#listed + 1] = item.path .. ":" .. item.size end
      local big_ok, big_err = pcall(blob.put, "big", string.rep("x", 26 * 1024 * 1024))
      local bad_ok, bad_err = pcall(blob.put, "../etc/passwd", "x")
      return { bytes = #data, content_type = content_type, listed = listed,
               json = blob.get("raw/2026/11/22/a.json"), missing = blob.get("nope") == nil,
               big = big_err.kind, bad = tostring(bad_err), deleted = blob.delete("raw/2026/11/23/c.json") }
    end)
  )lua");
  CHECK(result["bytes"] == 3);
  CHECK(result["content_type"] == "application/x-test");
  CHECK(result["listed"] == json::array({"raw/2026/11/22/a.json:10", "raw/2026/11/22/b.bin:3"}));
  CHECK(result["json"] == R"({"id":"a"})");
  CHECK(result["missing"] == true);
  CHECK(result["big"] == "too_large");
  CHECK_THAT(result["bad"].get<std::string>(), Catch::Contains("invalid path"));
  CHECK(result["deleted"] == true);
}

TEST_CASE("a secret's value reaches the step but never history, errors or the database in clear",
          "[secrets]") {
  EngineFixture f;
  const std::string value = "xoxb-very-secret-token-42";
  weft::stdlib::put_secret_value(f.store->secrets(), *f.secret_keys, "", {"slack.token"}, value);
  json result = run_workflow(f, "uses_secret", R"lua(
    local length = ctx:step("read", function() return #secrets.get("slack.token") end)
    local echoed = ctx:step("echo", function() return "Bearer " .. secrets.get("slack.token") end)
    local ok, err = pcall(ctx.step, ctx, "fail", function()
      error("request with " .. secrets.get("slack.token") .. " was refused")
    end)
    local missing_ok, missing = pcall(ctx.step, ctx, "missing", function() return secrets.get("nope") end)
    return { length = length, echoed = echoed, error = err.message, missing = missing.kind }
  )lua");
  CHECK(result["length"] == value.size());
  CHECK(result["echoed"] == "Bearer [secret:slack.token]");
  CHECK_THAT(result["error"].get<std::string>(), Catch::Contains("[secret:slack.token]"));
  CHECK(result["missing"] == "not_found");
  for (const auto& run : f.store->runs().list_runs({}))
    for (const auto& event : f.store->runs().history(run.id)) {
      CHECK(to_json(event).dump().find(value) == std::string::npos);
    }
  CHECK(result.dump().find(value) == std::string::npos);
}

TEST_CASE("secrets sealed under one key do not open under another", "[secrets]") {
  weft::stdlib::SecretBox first(weft::stdlib::SecretBox::generate_key());
  weft::stdlib::SecretBox second(weft::stdlib::SecretBox::generate_key());
  std::string sealed = first.seal("crm.password", "hunter2");
  CHECK(first.open("crm.password", sealed) == "hunter2");
  CHECK(sealed.find("hunter2") == std::string::npos);
  CHECK_THROWS_WITH(second.open("crm.password", sealed),
                    Catch::Contains("another master key") && !Catch::Contains("hunter2"));
  CHECK_THROWS_WITH(first.open("other.name", sealed), Catch::Contains("cannot be decrypted"));
  std::string tampered = sealed;
  tampered[tampered.size() - 20] ^= 1;
  CHECK_THROWS_WITH(first.open("crm.password", tampered), Catch::Contains("cannot be decrypted"));
}
