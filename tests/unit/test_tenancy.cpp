// Issue 14 (tenancy): weft.store, weft.blob and weft.secrets are
// namespaced by the run's tenant. A battery of attacks from a run of
// tenant globex, from a run without a tenant and from acme itself tries
// every way to reach another namespace's documents, blobs and secrets;
// the engine's own collections are out of reach of every run.
#include <catch2/catch.hpp>

#include "stdlib/secret_records.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::engine::RunStatus;
using weft::testing::EngineFixture;

namespace {

const std::string kAcmeToken = "acme-oauth-token-5d1e77";
const std::string kSharedToken = "shared-oauth-token-0b9c42";

std::string workflow(const std::string& name, const std::string& body) {
  return "local weft = require 'weft'\nlocal store = require 'weft.store'\n"
         "local blob = require 'weft.blob'\nlocal secrets = require 'weft.secrets'\n"
         "return weft.workflow { name = '" + name + "', retry = { attempts = 1 },\n"
         "secrets = { 'crm.*' },\n"
         "run = function(ctx, input)\n" + body + "\nend }\n";
}

// Runs `body` as a run of `tenant` ("" none) and returns its result.
json run_as(EngineFixture& f, const std::string& tenant, const std::string& name, const std::string& body) {
  f.write_workflow(name, workflow(name, body));
  auto run = f.run(f.start(name, json::object(), tenant).id);
  INFO(run.error.dump());
  REQUIRE(run.status == RunStatus::Completed);
  return run.result;
}

// What a run writes into its own namespace: a document, a blob and a secret
// under the same names in every namespace.
const char* kSeed = R"lua(
  return ctx:step("seed", function()
    store.put("leads", "L-1", { owner = input.owner or "?" })
    blob.put("raw/L-1.json", { owner = input.owner or "?" })
    secrets.put("crm.token", input.token, { expires_at = 1900000000, meta = { owner = input.owner } })
    return true
  end)
)lua";

void seed(EngineFixture& f, const std::string& tenant, const std::string& owner, const std::string& token) {
  std::string body = std::string("input = { owner = '") + owner + "', token = '" + token + "' }\n" + kSeed;
  run_as(f, tenant, "seed_" + (tenant.empty() ? std::string("shared") : tenant), body);
}

// Every way a step might reach data it does not own, each answer recorded.
const char* kAttacks = R"lua(
  return ctx:step("attack", function()
    local out = {}
    local function try(label, fn, ...)
      local ok, a, b = pcall(fn, ...)
      if ok then out[label] = { ok = true, value = a == nil and "nil" or a, version = b }
      else out[label] = { ok = false, kind = type(a) == "table" and a.kind or "error",
                          message = type(a) == "table" and a.message or tostring(a) } end
    end
    try("get", store.get, "leads", "L-1")
    try("find", function() return #store.find("leads", {}) end)
    for _, c in ipairs({ "acme/leads", "\31acme\31leads", "../acme/leads", "tenant/acme/leads",
                         "leads\0acme", string.rep("l", 5000) }) do
      try("get " .. c:sub(1, 20), store.get, c, "L-1")
    end
    try("get ratelimit", store.get, "weft.ratelimit", "state")
    try("find ratelimit", store.find, "weft.ratelimit", {})
    try("put ratelimit", store.put, "weft.ratelimit", "state", { buckets = {} })
    try("delete ratelimit", store.delete, "weft.ratelimit", "state")
    try("get schedules", store.get, "weft.schedules", "x")
    try("empty collection", store.get, "", "L-1")
    try("blob get", blob.get, "raw/L-1.json")
    try("blob list", function() return #blob.list("") end)
    for _, p in ipairs({ "acme/raw/L-1.json", "../acme/raw/L-1.json", "/raw/L-1.json",
                         "raw/../raw/L-1.json", "raw/L-1.json\0x", "\31acme\31raw/L-1.json" }) do
      try("blob " .. p:gsub("%c", "^"), blob.get, p)
    end
    try("secret get", secrets.get, "crm.token")
    try("secret list", function() return #secrets.list("") end)
    try("secret list crm", function() return #secrets.list("crm.") end)
    try("secret control", secrets.get, "crm.\31acme\31crm.token")
    try("secret long", secrets.get, "crm." .. string.rep("x", 300))
    return out
  end)
)lua";

// acme's own data, read back by an acme run.
const char* kReadOwn = R"lua(
  return ctx:step("read", function()
    local doc, version = store.get("leads", "L-1")
    local data = blob.get("raw/L-1.json")
    local listed = secrets.list("crm.")
    return { owner = doc.owner, version = version, blob = data, token = secrets.get("crm.token"),
             listed = #listed, meta_owner = listed[1].meta.owner, expires_at = listed[1].expires_at }
  end)
)lua";

}  // namespace

TEST_CASE("issue 14: a run of another tenant reaches none of acme's documents, blobs or secrets",
          "[tenant][store][blob][secrets]") {
  EngineFixture f;
  seed(f, "acme", "acme", kAcmeToken);
  json out = run_as(f, "globex", "attack_globex", kAttacks);
  INFO(out.dump(2));
  CHECK(out["get"]["value"] == "nil");
  CHECK(out["find"]["value"] == 0);
  for (const char* c : {"get acme/leads", "get \x1f" "acme\x1fleads", "get ../acme/leads", "get tenant/acme/leads"})
    CHECK(out[c]["value"] == "nil");
  for (const char* label : {"get ratelimit", "find ratelimit", "put ratelimit", "delete ratelimit", "get schedules"}) {
    INFO(label);
    CHECK(out[label]["ok"] == false);
    CHECK_THAT(out[label]["message"].get<std::string>(), Catch::Contains("reserved"));
  }
  CHECK(out["empty collection"]["ok"] == false);
  CHECK(out["blob get"]["value"] == "nil");
  CHECK(out["blob list"]["value"] == 0);
  CHECK(out["blob acme/raw/L-1.json"]["value"] == "nil");
  for (const char* p : {"blob ../acme/raw/L-1.json", "blob /raw/L-1.json", "blob raw/../raw/L-1.json",
                        "blob raw/L-1.json^x", "blob ^acme^raw/L-1.json"})
    CHECK(out[p]["ok"] == false);
  CHECK(out["secret get"]["kind"] == "not_found");
  CHECK(out["secret list"]["value"] == 0);
  CHECK(out["secret list crm"]["value"] == 0);
  CHECK(out["secret control"]["ok"] == false);
  CHECK(out["secret long"]["ok"] == false);
  CHECK(out.dump().find(kAcmeToken) == std::string::npos);

  // globex writes under the same names: its own copies, acme's untouched.
  seed(f, "globex", "globex", "globex-token-value-77");
  json own = run_as(f, "acme", "read_acme", kReadOwn);
  CHECK(own["owner"] == "acme");
  CHECK(own["version"] == 1);
  CHECK(json::parse(own["blob"].get<std::string>())["owner"] == "acme");
  CHECK(own["token"] == "[secret:crm.token]");  // redacted in the result, read in the step
  CHECK(own["listed"] == 1);
  CHECK(own["meta_owner"] == "acme");
  CHECK(own["expires_at"] == 1900000000);
  // In storage: one row per namespace, under the same names.
  CHECK(f.store->documents().get_document("acme", "leads", "L-1")->doc["owner"] == "acme");
  CHECK(f.store->documents().get_document("globex", "leads", "L-1")->doc["owner"] == "globex");
  CHECK_FALSE(f.store->documents().get_document("leads", "L-1").has_value());
  CHECK(*weft::stdlib::open_secret_value(f.store->secrets(), *f.secret_keys, "acme", "crm.token") == kAcmeToken);
}

TEST_CASE("issue 14: a run without a tenant and a tenant's run do not see each other's data",
          "[tenant][store][blob][secrets]") {
  EngineFixture f;
  seed(f, "acme", "acme", kAcmeToken);
  json shared = run_as(f, "", "attack_shared", kAttacks);
  INFO(shared.dump(2));
  CHECK(shared["get"]["value"] == "nil");
  CHECK(shared["blob get"]["value"] == "nil");
  CHECK(shared["secret get"]["kind"] == "not_found");
  CHECK(shared["secret list"]["value"] == 0);
  CHECK(shared["get ratelimit"]["ok"] == false);  // the engine's own state is in this namespace

  // The other way: shared data, invisible to acme (tenant runs read no shared data).
  seed(f, "", "shared", kSharedToken);
  f.store->documents().put_document("leads", "L-2", {{"owner", "shared"}}, -1, 0);
  json acme = run_as(f, "acme", "attack_acme", kAttacks);
  INFO(acme.dump(2));
  CHECK(acme["get"]["value"].is_object());  // its own L-1
  CHECK(acme["find"]["value"] == 1);        // not the shared L-2
  CHECK(acme["blob list"]["value"] == 1);
  CHECK(acme["secret list"]["value"] == 1);
  CHECK(acme.dump().find(kSharedToken) == std::string::npos);
  json read = run_as(f, "acme", "read_acme", kReadOwn);
  CHECK(read["owner"] == "acme");
}

TEST_CASE("issue 14: a tenant's ciphertext moved to another namespace does not open", "[tenant][secrets]") {
  EngineFixture f;
  seed(f, "acme", "acme", kAcmeToken);
  auto sealed = f.store->secrets().get_secret("acme", "crm.token");
  REQUIRE(sealed);
  // Someone with write access to the database copies acme's row to globex and to the shared namespace.
  f.store->secrets().put_secret("globex", {"crm.token"}, *sealed);
  f.store->secrets().put_secret("", {"crm.token"}, *sealed);
  for (const char* tenant : {"globex", ""})
    CHECK_THROWS_WITH(weft::stdlib::open_secret_value(f.store->secrets(), *f.secret_keys, tenant, "crm.token"),
                      Catch::Contains("cannot be opened"));
  json out = run_as(f, "globex", "attack_moved", R"lua(
    return ctx:step("s", function()
      local ok, err = pcall(secrets.get, "crm.token")
      return ok and "opened" or err.kind
    end)
  )lua");
  CHECK(out == "secrets");
}
