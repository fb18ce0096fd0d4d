// weft show against the real binary: a pipeline as text, Mermaid and DOT,
// a Lua-bodied workflow's triggers and policies, and the refusals.
#include <catch2/catch.hpp>

#include <fstream>

#include "engine/content_hash.hpp"
#include "engine/script_version.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

using weft::testing::run_command;
using weft::testing::TempDir;

namespace {

const char* kLead = R"lua(local weft = require "weft"
return weft.pipeline {
  name = "lead",
  on = { weft.webhook { path = "/hooks/leads", verify = false, dedup = "json:id" } },
  retry = { attempts = 3 },
  steps = {
    { "store_raw", "fns.store_raw" },
    { sleep = "10m" },
    { when = "fns.hot", steps = { { "notify", "fns.notify", optional = true, retry = { attempts = 2 } } } },
  },
  result = "fns.summary",
}
)lua";

const char* kFns = "return { store_raw = print, hot = print, notify = print, summary = print }\n";

// The pipeline's version: its file and the module its "fns.*" names load.
std::string lead_version() {
  weft::engine::ScriptVersion version;
  version.entry = "lead.lua";
  version.files = {{"lead.lua", kLead}, {"fns.lua", kFns}};
  version.modules = {{"fns", "fns.lua"}};
  return weft::engine::version_hash(version);
}

const char* kNightly = R"lua(local weft = require "weft"
return weft.workflow { name = "nightly", on = { weft.cron "0 0 2 * * *" }, timeout = "1h",
  run = function(ctx) return 1 end }
)lua";

struct Folder {
  Folder() {
    write("lead.lua", kLead);
    write("nightly.lua", kNightly);
    write("fns.lua", kFns);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir.path() / name) << text;
  }
  weft::testing::ProcessResult show(std::vector<std::string> extra) const {
    std::vector<std::string> args = {WEFT_BINARY, "show"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--workflows", dir.path().string()});
    return run_command(args);
  }
  TempDir dir;
};

}  // namespace

TEST_CASE("weft show prints a pipeline's triggers, policies and entries", "[e2e][cli][show]") {
  Folder folder;
  auto shown = folder.show({"lead"});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK(shown.out == "pipeline lead\nversion: " + lead_version() +
                         "\ntriggers:\n  webhook /hooks/leads (unsigned) dedup json:id\n"
                         "policies:\n  retry: {\"attempts\":3}\n"
                         "steps:\n  1. store_raw  [fn fns.store_raw]\n  2. sleep 10m\n  3. when fns.hot\n"
                         "    3.1. notify (optional)  [fn fns.notify, retry {\"attempts\":2}]\n"
                         "  result: fns.summary\n");
}

TEST_CASE("weft show draws a pipeline as Mermaid and as DOT", "[e2e][cli][show]") {
  Folder folder;
  auto mermaid = folder.show({"lead", "--format", "mermaid"});
  CHECK(mermaid.exit_code == 0);
  CHECK(mermaid.out == R"m(flowchart TD
  n_start(["start"])
  n_1["store_raw"]
  n_2["sleep 10m"]
  n_3{"when fns.hot"}
  n_3_1["notify (optional)"]
  n_end(["result: fns.summary"])
  n_start --> n_1
  n_1 --> n_2
  n_2 --> n_3
  n_3 -->|yes| n_3_1
  n_3_1 --> n_end
  n_3 -->|no| n_end
)m");
  auto dot = folder.show({"lead", "--format=dot"});
  CHECK(dot.exit_code == 0);
  CHECK(dot.out == R"m(digraph "lead" {
  rankdir=TB;
  "start" [label="start", shape=oval];
  "1" [label="store_raw", shape=box];
  "2" [label="sleep 10m", shape=box];
  "3" [label="when fns.hot", shape=diamond];
  "3.1" [label="notify (optional)", shape=box];
  "end" [label="result: fns.summary", shape=oval];
  "start" -> "1";
  "1" -> "2";
  "2" -> "3";
  "3" -> "3.1" [label="yes"];
  "3.1" -> "end";
  "3" -> "end" [label="no"];
}
)m");
}

TEST_CASE("weft show prints a Lua-bodied workflow's triggers and policies, and no graph",
          "[e2e][cli][show]") {
  Folder folder;
  auto shown = folder.show({"nightly"});
  CHECK(shown.exit_code == 0);
  CHECK(shown.out == "workflow nightly (Lua body)\nversion: " + weft::engine::sha256_hex(kNightly) +
                         "\ntriggers:\n  cron \"0 0 2 * * *\" UTC\npolicies:\n  timeout: \"1h\"\n");
  auto graph = folder.show({"nightly", "--format", "mermaid"});
  CHECK(graph.exit_code == 2);
  CHECK(graph.out.empty());
  CHECK_THAT(graph.err, Catch::Contains("workflow 'nightly' has a Lua body: only pipelines have a graph"));
}

TEST_CASE("weft show refuses an unknown workflow, a bad format and a broken pipeline", "[e2e][cli][show]") {
  Folder folder;
  auto unknown = folder.show({"nope"});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no workflow named 'nope'"));
  auto format = folder.show({"lead", "--format", "svg"});
  CHECK(format.exit_code == 2);
  CHECK_THAT(format.err, Catch::Contains("--format: expected text, mermaid or dot, not 'svg'"));
  folder.write("lead.lua", std::string(kLead).replace(std::string(kLead).find("{ sleep = \"10m\" }"), 17,
                                                      "{ sleep = \"10x\" }"));
  auto broken = folder.show({"lead"});
  CHECK(broken.exit_code == 2);
  CHECK_THAT(broken.err, Catch::Contains((folder.dir.path() / "lead.lua").string() +
                                         ":2: pipeline 'lead': steps[2] (sleep): sleep: bad duration '10x'"));
}
