// weft blob through the real binary: an object a workflow stored is read
// back byte for byte; put, list, get and delete round trip; hostile paths
// and oversized objects are refused with a usage error.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::WeftCli;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("weft blob reads what a workflow stored, and puts, lists and deletes objects", "[e2e][blob]") {
  WeftCli weft;
  std::string flow = weft.write("flows/keep.lua", R"(local weft = require "weft"
local blob = require "weft.blob"
return weft.workflow { name = "keep", run = function(ctx, input)
  return ctx:step("store", function() return blob.put("raw/" .. input.id .. ".json", { id = input.id }) end)
end }
)");
  REQUIRE(weft({"run", flow, "--input", R"({"id":"L-1"})"}).exit_code == 0);
  auto got = weft({"blob", "get", "raw/L-1.json"});
  REQUIRE(got.exit_code == 0);
  CHECK(json::parse(got.out) == json{{"id", "L-1"}});

  std::string binary = std::string("\x89PNG\r\n\0\xff", 8);
  std::string source = weft.write("in.bin", binary);
  auto put = weft({"blob", "put", "images/logo.png", "--from-file", source, "--content-type", "image/png"});
  REQUIRE(put.exit_code == 0);
  CHECK(put.out == "blob images/logo.png stored (8 bytes)\n");
  std::string copy = (weft.dir.path() / "out.bin").string();
  REQUIRE(weft({"blob", "get", "images/logo.png", "--output", copy}).exit_code == 0);
  CHECK(read(copy) == binary);

  auto listed = weft({"blob", "list", "images/", "--json"});
  REQUIRE(listed.exit_code == 0);
  auto items = json::parse(listed.out);
  REQUIRE(items.size() == 1);
  CHECK(items[0]["path"] == "images/logo.png");
  CHECK(items[0]["size"] == 8);
  CHECK(items[0]["content_type"] == "image/png");
  CHECK(weft({"blob", "list"}).out.find("raw/L-1.json") != std::string::npos);

  CHECK(weft({"blob", "delete", "images/logo.png"}).exit_code == 0);
  auto gone = weft({"blob", "get", "images/logo.png"});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err.find("no blob images/logo.png") != std::string::npos);
  CHECK(weft({"blob", "delete", "images/logo.png"}).exit_code == 1);
}

TEST_CASE("weft blob refuses hostile paths, oversized objects and unknown actions", "[e2e][blob]") {
  WeftCli weft;
  std::string small = weft.write("small.txt", "x");
  for (const char* path : {"/etc/passwd", "../outside", "a//b", "a\\b"}) {
    auto refused = weft({"blob", "put", path, "--from-file", small});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("invalid blob path") != std::string::npos);
  }
  std::string big = weft.write("big.bin", std::string((25 << 20) + 1, 'x'));
  auto too_big = weft({"blob", "put", "big.bin", "--from-file", big});
  CHECK(too_big.exit_code == 2);
  CHECK(too_big.err.find("exceed the blob limit of 25 MiB") != std::string::npos);
  CHECK(weft({"blob", "list"}).out.find("big.bin") == std::string::npos);
  CHECK(weft({"blob", "copy", "a"}).exit_code == 2);
}
