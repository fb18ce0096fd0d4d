// weft debug through the real binary, driven as a test (and the web UI
// later) drives it: --commands, stdin, --json, a bundle; and the frames
// endpoint. Each answer is checked as a user reads it: the call, its
// record, the source line, the locals at that point, an expression's value.
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tests/support/serve_client.hpp"
#include "tests/support/weft_cli.hpp"

using nlohmann::json;
using weft::testing::WeftCli;

namespace {

const char* kLead = R"(local weft = require "weft"
return weft.workflow { name = "lead", run = function(ctx, input)
  local lead = ctx:step("fetch", function() return { email = "ADA@EXAMPLE.COM ", score = input.score } end)
  local email = ctx:step("clean", function() return lead.email:lower() end)
  local score = lead.score * 10
  ctx:sleep(0)
  local saved = ctx:step("save", function() return { id = 7, email = email } end)
  return { id = saved.id, score = score }
end }
)";

std::string recorded_lead(const WeftCli& weft) {
  std::string file = weft.write("flows/lead.lua", kLead);
  REQUIRE(weft({"run", file, "--id", "lead-1", "--input", R"({"score":3})"}).exit_code == 0);
  return file;
}

}  // namespace

TEST_CASE("weft debug --commands steps forward and back with source, records, locals and print",
          "[e2e][debug]") {
  WeftCli weft;
  recorded_lead(weft);
  auto r = weft({"debug", "lead-1", "--commands",
                 "goto 4; locals; back; print lead.email:lower(); print score; until save; "
                 "print ctx:step('x', function() end); next; history"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string& out = r.out;
  // goto 4: the save step, its record and its line marked.
  CHECK_THAT(out, Catch::Contains("(weft) goto 4\nposition 4/4 (seq 4, path 4): step 'save' completed"));
  CHECK_THAT(out, Catch::Contains("  >    7 |   local saved = ctx:step(\"save\""));
  // locals at the save call: everything assigned before it.
  CHECK_THAT(out, Catch::Contains("  email = \"ada@example.com \"\n"));
  CHECK_THAT(out, Catch::Contains("  score = 30\n"));
  // back: the sleep, where `score` already exists but `saved` does not.
  CHECK_THAT(out, Catch::Contains("(weft) back\nposition 3/4 (seq 3, path 3): sleep 'sleep' completed"));
  CHECK_THAT(out, Catch::Contains("(weft) print lead.email:lower()\n  \"ada@example.com \"\n"));
  CHECK_THAT(out, Catch::Contains("(weft) print score\n  30\n"));
  CHECK_THAT(out, Catch::Contains("a debugger expression cannot make durable calls"));
  CHECK_THAT(out, Catch::Contains("at the last recorded call"));
  CHECK_THAT(out, Catch::Contains("  > 4  step 'save' completed"));
  // Nothing was executed or written.
  CHECK(json::parse(weft({"history", "lead-1", "--json"}).out).size() == 4);
}

TEST_CASE("weft debug answers as JSON, reads commands from stdin, and debugs a bundle",
          "[e2e][debug]") {
  WeftCli weft;
  recorded_lead(weft);
  auto r = weft({"debug", "lead-1", "--json", "--commands", "goto 2; locals; print input.score + 1; goto 9"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json answers = json::parse(r.out);
  REQUIRE(answers.size() == 4);
  CHECK(answers[0]["position"]["seq"] == 2);
  CHECK(answers[0]["call"]["name"] == "clean");
  CHECK(answers[0]["location"] == "lead.lua:4");
  CHECK(answers[1]["locals"]["lead"] == json({{"email", "ADA@EXAMPLE.COM "}, {"score", 3}}));
  // ctx holds what JSON cannot (a hidden key): its data still shows.
  CHECK(answers[1]["locals"]["ctx"]["workflow"] == "lead");
  CHECK(answers[1]["locals"]["ctx"]["run_id"] == "lead-1");
  CHECK_FALSE(answers[1]["locals"].contains("email"));  // assigned by this very call
  CHECK(answers[2]["value"] == 4);
  CHECK(answers[3]["error"] == "no recorded call at position '9'");

  std::string bundle = (weft.dir.path() / "lead.json").string();
  REQUIRE(weft({"export", "lead-1", "--output", bundle}).exit_code == 0);
  // Commands on stdin, one per line (not a terminal: no prompt).
  auto piped = weft::testing::run_command(
      {"/bin/sh", "-c", std::string("printf 'goto 3\\nprint score\\nquit\\nnext\\n' | ") + WEFT_BINARY +
                            " debug --bundle '" + bundle + "'"});
  INFO(piped.err);
  CHECK(piped.exit_code == 0);
  CHECK_THAT(piped.out, Catch::Contains("(weft) print score\n  30\n"));
  CHECK(piped.out.find("(weft) next") == std::string::npos);  // after quit
  auto from_bundle = weft::testing::run_command(
      {WEFT_BINARY, "debug", "--bundle", bundle, "--json", "--commands", "until save; print email"});
  REQUIRE(from_bundle.exit_code == 0);
  CHECK(json::parse(from_bundle.out)[1]["value"] == "ada@example.com ");
}

TEST_CASE("GET /v1/runs/{id}/frames/{seq} gives the locals and location at a call", "[e2e][debug][api]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"lead", kLead}};
  weft::testing::Server server(options);
  using weft::testing::request;
  auto started = request("POST", server.url("/v1/workflows/lead/runs?wait=20s"), R"({"score":2})");
  REQUIRE(started.status == 200);
  std::string id = started.json_body()["id"];
  auto frame = request("GET", server.url("/v1/runs/" + id + "/frames/4?expression=score%2B1"));
  INFO(frame.body);
  REQUIRE(frame.status == 200);
  json body = frame.json_body();
  CHECK(body["reached"] == true);
  CHECK(body["location"] == "lead.lua:7");
  CHECK(body["locals"]["score"] == 20);
  CHECK(body["value"] == 21);
  CHECK(body["call"]["name"] == "save");
  CHECK(request("GET", server.url("/v1/runs/" + id + "/frames/99")).status == 404);
  CHECK(request("GET", server.url("/v1/runs/" + id + "/frames/x")).status == 400);
}

TEST_CASE("weft debug shows a local that holds itself and functions, bounded", "[e2e][debug]") {
  WeftCli weft;
  std::string file = weft.write("flows/loop.lua", R"(local weft = require "weft"
return weft.workflow { name = "loop", run = function(ctx)
  local node = { name = "root", visit = function() end }
  for i = 1, 150 do node[i] = node end  -- a table that holds itself, wide
  return ctx:step("done", function() return 1 end)
end }
)");
  REQUIRE(weft({"run", file, "--id", "loop-1"}).exit_code == 0);
  auto r = weft({"debug", "loop-1", "--json", "--commands", "locals"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json node = json::parse(r.out)[0]["locals"]["node"];
  CHECK(node["name"] == "root");
  CHECK(node["visit"] == "<function>");
  CHECK(node.size() == 101);  // 100 entries shown, then how many more
  CHECK(r.out.size() < 2'000'000);
}
