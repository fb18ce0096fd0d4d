// weft secrets from the command line: values go in by stdin, file or
// option and never come out; the key file is private; rotating the key
// keeps every secret readable by workflows.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

using weft::testing::run_command;
using weft::testing::TempDir;

TEST_CASE("weft secrets set, list, rotate-key and delete", "[e2e][secrets]") {
  TempDir dir;
  std::string db = (dir.path() / "weft.db").string();
  std::string workflow = (dir.path() / "read_secret.lua").string();
  std::ofstream(workflow) << R"lua(
local weft = require "weft"
local secrets = require "weft.secrets"
return weft.workflow { name = "read_secret", secrets = { "crm.password" }, run = function(ctx)
  return ctx:step("len", function() return #secrets.get("crm.password") end)
end }
)lua";
  auto weft = [&](std::vector<std::string> args) {
    args.insert(args.begin(), WEFT_BINARY);
    args.push_back("--db");
    args.push_back(db);
    return run_command(args);
  };
  const std::string value = "correct-horse-battery-staple";
  for (std::string action : {"list", "delete", "rotate-key"}) {  // nothing stored yet: nothing made
    auto refused = weft({"secrets", action, "crm.password"});
    INFO(action << ": " << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("no database at " + db));
  }
  CHECK_FALSE(std::filesystem::exists(db));
  CHECK_FALSE(std::filesystem::exists(db + ".key"));
  auto set = weft({"secrets", "set", "crm.password", "--value", value});
  REQUIRE(set.exit_code == 0);
  CHECK(set.out.find(value) == std::string::npos);
  struct stat info {};
  REQUIRE(stat((db + ".key").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  auto list = weft({"secrets", "list"});
  CHECK_THAT(list.out, Catch::StartsWith("NAME"));
  CHECK_THAT(list.out, Catch::Contains("\ncrm.password "));
  CHECK(list.out.find(value) == std::string::npos);
  CHECK(weft({"run", workflow}).out == std::to_string(value.size()) + "\n");

  std::ifstream key_before(db + ".key");
  std::string old_key((std::istreambuf_iterator<char>(key_before)), {});
  auto rotated = weft({"secrets", "rotate-key"});
  CHECK(rotated.exit_code == 0);
  std::ifstream key_after(db + ".key");
  std::string new_key((std::istreambuf_iterator<char>(key_after)), {});
  CHECK(new_key != old_key);
  CHECK(weft({"run", workflow, "--id", "after-rotation"}).out ==
        std::to_string(value.size()) + "\n");

  std::ifstream raw(db, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(raw)), {});
  CHECK(bytes.find(value) == std::string::npos);

  CHECK(weft({"secrets", "delete", "crm.password"}).exit_code == 0);
  CHECK(weft({"secrets", "delete", "crm.password"}).exit_code == 1);
  CHECK(weft({"secrets", "frobnicate"}).exit_code == 2);
}
