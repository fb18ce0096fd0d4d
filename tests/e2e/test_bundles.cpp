// Repro bundles through the real binary: a run exported from one database
// and imported into another replays there with no divergence, nothing
// executes it on import, `weft replay --bundle` needs no database, a
// declared secret's value never enters the file, and an altered bundle
// is refused.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::run_command;
using weft::testing::WeftCli;

namespace {

const std::string kSecret = "sk-bundle-never-exported-7d1e";

const char* kOrder = R"(local weft = require "weft"
local secrets = require "weft.secrets"
local pricing = require "pricing"
return weft.workflow { name = "order", secrets = { "shop.key" }, run = function(ctx, input)
  local key = ctx:step("auth", function() return secrets.get("shop.key") end)
  local total = ctx:step("price", function() return pricing.total(input.items) end)
  local approval = ctx:wait_event("approve")
  return { total = total, key = key, by = approval.by }
end }
)";

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts run `id` of the order workflow with `input` and executes it
// until it waits for "approve"; returns the workflows folder.
std::string parked_order(const WeftCli& weft, const std::string& id, const std::string& input) {
  std::string flows = (weft.dir.path() / "flows").string();
  weft.write("flows/pricing.lua", "return { total = function(items) return #items * 10 end }\n");
  std::string file = weft.write("flows/order.lua", kOrder);
  REQUIRE(weft({"secrets", "set", "shop.key", "--value", kSecret}).exit_code == 0);
  REQUIRE(weft({"start", file, "--id", id, "--input", input}).exit_code == 0);
  REQUIRE(weft({"resume", "--workflows", flows}).exit_code == 0);
  return flows;
}

}  // namespace

TEST_CASE("a run exported as a bundle replays in another database and nothing executes it",
          "[e2e][bundle]") {
  WeftCli source;
  std::string flows = parked_order(source, "order-1", R"({"items":[1,2,3]})");
  REQUIRE(source({"event", "order-1", "approve", "--data", R"({"by":"kim"})"}).exit_code == 0);
  REQUIRE(source({"resume", "--workflows", flows}).exit_code == 0);

  std::string bundle = (source.dir.path() / "order-1.json").string();
  auto exported = source({"export", "order-1", "--output", bundle});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  std::string text = read(bundle);
  CHECK(text.find(kSecret) == std::string::npos);  // redacted, as in history
  json document = json::parse(text);
  CHECK(document["version"]["modules"] == json({{"pricing", "pricing.lua"}}));
  CHECK(document["run"]["result"]["total"] == 30);

  // Straight from the file, with no database at all.
  auto direct = run_command({WEFT_BINARY, "replay", "--bundle", bundle, "--json"});
  INFO(direct.err);
  REQUIRE(direct.exit_code == 0);
  CHECK(json::parse(direct.out)["diverged"] == false);
  CHECK(json::parse(direct.out)["replayed"] == 3);

  WeftCli target;
  auto imported = target({"import", bundle});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  std::string id = imported.out.substr(0, imported.out.find('\n'));
  auto runs = json::parse(target({"runs", "--json"}).out);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["id"] == id);
  CHECK(runs[0]["imported_from"] == "order-1");
  CHECK(runs[0]["status"] == "completed");
  auto history = json::parse(target({"history", id, "--json"}).out);
  auto original = json::parse(source({"history", "order-1", "--json"}).out);
  REQUIRE(history.size() == original.size());
  for (size_t i = 0; i < history.size(); ++i) {
    CHECK(history[i]["kind"] == original[i]["kind"]);
    CHECK(history[i]["name"] == original[i]["name"]);
    CHECK(history[i]["result"] == original[i]["result"]);
    CHECK(history[i]["location"] == original[i]["location"]);
  }
  CHECK(json::parse(target({"replay", id, "--json"}).out)["diverged"] == false);
}

TEST_CASE("an imported run in flight is not executed, and an altered bundle is refused",
          "[e2e][bundle]") {
  WeftCli source;
  parked_order(source, "waiting", R"({"items":[1]})");
  std::string bundle = (source.dir.path() / "waiting.json").string();
  REQUIRE(source({"export", "waiting", "--output", bundle}).exit_code == 0);

  WeftCli target;
  std::string id = target({"import", bundle}).out;
  id = id.substr(0, id.find('\n'));
  REQUIRE(target({"resume"}).exit_code == 0);  // nothing is due
  auto runs = json::parse(target({"runs", "--json"}).out);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["status"] == "waiting");
  CHECK(json::parse(target({"history", id, "--json"}).out).size() == 3);  // nothing new ran

  // The code changed but the hash kept: refused, nothing stored.
  json document = json::parse(read(bundle));
  document["version"]["files"]["pricing.lua"] = "return { total = function() os.exit() end }\n";
  std::string altered = target.write("altered.json", document.dump());
  auto refused = target({"import", altered});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("does not match"));
  CHECK(json::parse(target({"runs", "--json"}).out).size() == 1);
  CHECK(target({"import", target.write("junk.json", "{\"format\": \"other\"}")}).exit_code == 2);
  CHECK(target({"import", target.write("bad.json", "{nope")}).exit_code == 2);
}
