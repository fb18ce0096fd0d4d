// weft.pipeline at load: the errors naming the file, the line and the
// entry, the graph every pipeline draws, and GET /v1/workflows/{name}.
#include <catch2/catch.hpp>

#include <fstream>

#include "dsl/lua_workflow_catalog.hpp"
#include "tests/support/api_fixture.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::testing::TempDir;

namespace {

// Loads a pipeline named "p" whose declaration call is on line 2; returns
// the load error, or "" when it loads.
std::string load_error(const TempDir& dir, const std::string& fields) {
  auto path = dir.path() / "p.lua";
  std::ofstream(path) << "local weft = require \"weft\"\nreturn weft.pipeline {\n  name = \"p\",\n"
                      << fields << "\n}\n";
  weft::dsl::LuaWorkflowCatalog catalog(dir.path().string());
  try {
    catalog.add_file(path.string());
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string steps(const std::string& entries) { return "steps = {\n" + entries + "\n}"; }

}  // namespace

TEST_CASE("pipeline load errors name the file, the line and the entry", "[pipeline]") {
  TempDir dir;
  std::ofstream(dir.path() / "lead_fns.lua") << "return { refine = function() end }\n";
  const std::string fn = "function() end";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {steps("{ 'a', " + fn + ", retyr = {} }"), "steps[1] 'a': unknown key 'retyr'"},
      {steps("{ 'a', " + fn + ", " + fn + " }"), "steps[1] 'a': unknown key [3]"},
      {steps("{ 'a', " + fn + " }, { 'a', " + fn + " }"), "steps[2] 'a': duplicate name 'a' (also steps[1])"},
      {steps("{ 'approval', " + fn + " }, { wait_event = 'approval' }"),
       "steps[2] (wait_event): duplicate name 'approval' (also steps[1])"},
      {steps("{ 'input', " + fn + " }"),
       "steps[1] 'input': the name 'input' is reserved (state.input is the run's input)"},
      {steps("{ 'a' }"),
       "steps[1] 'a': missing function (the second item: a function or a \"module.function\" string)"},
      {steps("{ 'a', 42 }"), "steps[1] 'a': the function must be a function or a \"module.function\" string"},
      {steps("{ 'a', 'refine' }"),
       "steps[1] 'a': the function must be a function or a \"module.function\" string"},
      {steps("{ 'a', 'lead_fns.nope' }"),
       "steps[1] 'a': function 'lead_fns.nope': module 'lead_fns' has no function 'nope'"},
      {steps("{ 'a', 'nomodule.refine' }"),
       "steps[1] 'a': function 'nomodule.refine': module 'nomodule' not found: no module 'nomodule' "
       "among Weft's modules or in the workflows folder " + dir.path().string()},
      {steps("{ 'a', " + fn + ", retry = { attempts = 0 } }"),
       "steps[1] 'a': retry.attempts: expected an integer >= 1"},
      {steps("{ 'a', " + fn + ", undo_retry = { attempts = 0 } }"),
       "steps[1] 'a': undo_retry.attempts: expected an integer >= 1"},
      {steps("{ 'a', " + fn + ", optional = 'yes' }"), "steps[1] 'a': optional: expected true or false"},
      {steps("{ sleep = '10x' }"),
       "steps[1] (sleep): sleep: bad duration '10x' (expected seconds or a duration like \"10m\")"},
      {steps("{ wait_event = 'ok', timeout = 'soon' }"),
       "steps[1] (wait_event): timeout: bad duration 'soon' (expected seconds or a duration like \"10m\")"},
      {steps("{ child = '' }"), "steps[1] (child): child: expected a non-empty string"},
      {steps("{ when = " + fn + " }"),
       "steps[1] (when): steps: expected a list of entries (run when the condition holds)"},
      {steps("{ when = " + fn + ", steps = {} }"), "steps[1].steps: expected a non-empty list of entries"},
      {steps("{ when = " + fn + ", steps = { { 'x', " + fn + ", undo = 5 } } }"),
       "steps[1].steps[1] 'x': undo must be a function or a \"module.function\" string"},
      {steps("{ 'x', " + fn + ", steps = { } }"), "steps[1] 'x': unknown key 'steps'"},
      {steps("'step'"), "steps[1]: expected an entry (a table)"},
      {steps("{ sleep = '1m', child = 'x' }"), "steps[1]: an entry has one kind, found both 'sleep' and 'child'"},
      {steps("{ foo = 1 }"),
       "steps[1]: expected { \"name\", fn, ... } or an entry with sleep, wait_event, child, when,"
       " parallel or map"},
      {steps("{ parallel = {} }"), "steps[1] (parallel): parallel: expected a non-empty list of branches"},
      {steps("{ parallel = { 'a' } }"),
       "steps[1].parallel[1]: expected a branch (an entry or a list of entries)"},
      {steps("{ parallel = { { 'a', " + fn + " }, { { 'a', " + fn + " } } } }"),
       "steps[1].parallel[2][1] 'a': duplicate name 'a' (also steps[1].parallel[1])"},
      {steps("{ parallel = { { sleep = 'x' } } }"),
       "steps[1].parallel[1] (sleep): sleep: bad duration 'x' (expected seconds or a duration like \"10m\")"},
      {steps("{ map = 'state.items' }"),
       "steps[1] (map): each: expected a list of entries (run for every item)"},
      {steps("{ map = 'items..x', each = { { 'a', " + fn + " } } }"),
       "steps[1] (map): map: expected a state field like \"leads\" or \"input.leads\""},
      {steps("{ map = 'items', each = { { 'a', " + fn + " } }, concurrency = 0 }"),
       "steps[1] (map): concurrency: expected an integer >= 1"},
      {steps("{ map = 'items', each = { { 'item', " + fn + " } } }"),
       "steps[1].each[1] 'item': duplicate name 'item' (also steps[1] (the item))"},
      {"steps = { x = { sleep = 1 } }", "steps: expected a list of entries, found key 'x'"},
      {"steps = {}", "steps: expected a non-empty list of entries"},
      {"steps = 'all'", "field 'steps' (a non-empty list of entries) expected"},
      {steps("{ sleep = 1 }") + ", run = " + fn, "a pipeline has steps, not run"},
      {steps("{ sleep = 1 }") + ", stepz = {}", "unknown key 'stepz'"},
      {steps("{ sleep = 1 }") + ", result = 3", "result: the function must be a function or a \"module.function\" string"},
  };
  for (const auto& [fields, message] : cases) {
    INFO(fields);
    CHECK(load_error(dir, fields) == (dir.path() / "p.lua").string() + ":2: pipeline 'p': " + message);
  }
  CHECK(load_error(dir, steps("{ 'a', 'lead_fns.refine' }, { sleep = 30 }")) == "");
  // Names inside a map's `each` belong to each item's state.
  CHECK(load_error(dir, steps("{ 'a', " + fn + " }, { map = 'items', each = { { 'a', " + fn + " } } }")) == "");
}

TEST_CASE("a pipeline's workflow fields are checked as weft.workflow's", "[pipeline]") {
  TempDir dir;
  CHECK(load_error(dir, steps("{ sleep = 1 }") + ", timeout = 'later'") ==
        (dir.path() / "p.lua").string() + ":2: timeout: expected seconds or a duration like \"1h\"");
}

TEST_CASE("a pipeline's graph has a node per entry and yes/no edges around when", "[pipeline]") {
  TempDir dir;
  std::ofstream(dir.path() / "g.lua") << R"lua(local weft = require "weft"
return weft.pipeline { name = "g", steps = {
  { "fetch", "fns.fetch", retry = { attempts = 2 } },
  { when = "fns.hot", steps = { { sleep = "10m" }, { "notify", function() end, optional = true } } },
  { wait_event = "approval", timeout = "1h" },
  { child = "grade", as = "graded" },
}, result = "fns.summary" })lua";
  std::ofstream(dir.path() / "fns.lua") << "return { fetch = print, hot = print, summary = print }\n";
  weft::dsl::LuaWorkflowCatalog catalog(dir.path().string());
  catalog.add_file((dir.path() / "g.lua").string());
  json d = *catalog.describe("g");
  CHECK(d["kind"] == "pipeline");
  CHECK(d["graph"]["nodes"] == json::parse(R"j([
    {"id": "start", "kind": "start", "label": "start"},
    {"id": "1", "kind": "step", "name": "fetch", "label": "fetch", "fn": "fns.fetch", "retry": {"attempts": 2}},
    {"id": "2", "kind": "when", "when": "fns.hot", "label": "when fns.hot"},
    {"id": "2.1", "kind": "sleep", "duration": "10m", "label": "sleep 10m"},
    {"id": "2.2", "kind": "step", "name": "notify", "label": "notify (optional)", "fn": "function (line 4)",
     "optional": true},
    {"id": "3", "kind": "wait_event", "event": "approval", "timeout": "1h", "as": "approval",
     "label": "wait_event approval (timeout 1h)"},
    {"id": "4", "kind": "child", "workflow": "grade", "as": "graded", "label": "child grade"},
    {"id": "end", "kind": "end", "label": "result: fns.summary", "result": "fns.summary"}])j"));
  CHECK(d["graph"]["edges"] == json::parse(R"([
    {"from": "start", "to": "1"}, {"from": "1", "to": "2"},
    {"from": "2", "to": "2.1", "label": "yes"}, {"from": "2.1", "to": "2.2"},
    {"from": "2.2", "to": "3"}, {"from": "2", "to": "3", "label": "no"},
    {"from": "3", "to": "4"}, {"from": "4", "to": "end"}])"));
}

TEST_CASE("a pipeline's graph forks at parallel and map and joins at the next entry", "[pipeline]") {
  TempDir dir;
  std::ofstream(dir.path() / "f.lua") << R"lua(local weft = require "weft"
return weft.pipeline { name = "f", steps = {
  { parallel = { { "crm", print }, { { sleep = "1m" }, { "slack", print } } } },
  { map = "input.leads", concurrency = 3, each = { { "score", print } } },
  { "done", print },
} })lua";
  weft::dsl::LuaWorkflowCatalog catalog(dir.path().string());
  catalog.add_file((dir.path() / "f.lua").string());
  json graph = (*catalog.describe("f"))["graph"];
  std::vector<std::string> labels;
  for (const auto& node : graph["nodes"]) labels.push_back(node["id"].get<std::string>() + " " + node["label"].get<std::string>());
  CHECK(labels == std::vector<std::string>{"start start", "1 parallel", "1.1.1 crm", "1.2.1 sleep 1m",
                                           "1.2.2 slack", "2 map input.leads (concurrency 3)",
                                           "2.1 score", "3 done", "end end"});
  CHECK(graph["nodes"][5]["as"] == "leads_results");
  CHECK(graph["edges"] == json::parse(R"([
    {"from": "start", "to": "1"},
    {"from": "1", "to": "1.1.1", "label": "1"},
    {"from": "1", "to": "1.2.1", "label": "2"}, {"from": "1.2.1", "to": "1.2.2"},
    {"from": "1.1.1", "to": "2"}, {"from": "1.2.2", "to": "2"},
    {"from": "2", "to": "2.1", "label": "each"},
    {"from": "2.1", "to": "3"}, {"from": "3", "to": "end"}])"));
}

TEST_CASE("GET /v1/workflows/{name} describes a workflow, with a pipeline's graph", "[pipeline][api]") {
  weft::testing::Api api;
  api.fx.write_workflow("flowp", R"lua(local weft = require "weft"
return weft.pipeline { name = "flowp", retry = { attempts = 2 }, timeout = "1h",
  on = { weft.cron "0 0 * * *" },
  steps = { { "a", function() return 1 end }, { sleep = "1m" } } })lua");
  auto piped = api("GET", "/v1/workflows/flowp");
  REQUIRE(piped.status == 200);
  CHECK(piped.body["name"] == "flowp");
  CHECK(piped.body["kind"] == "pipeline");
  CHECK(piped.body["version"] == api.fx.catalog->by_name("flowp")->hash);
  CHECK(piped.body["policies"] == json{{"retry", {{"attempts", 2}}}, {"timeout", "1h"}});
  CHECK(piped.body["triggers"][0]["expr"] == "0 0 * * *");
  CHECK(piped.body["graph"]["nodes"].size() == 4);
  CHECK(piped.body["graph"]["edges"] == json::parse(
      R"([{"from": "start", "to": "1"}, {"from": "1", "to": "2"}, {"from": "2", "to": "end"}])"));
  auto lua = api("GET", "/v1/workflows/hello");
  REQUIRE(lua.status == 200);
  CHECK(lua.body["kind"] == "lua");
  CHECK(lua.body["graph"].is_null());
  weft::testing::check_error(api("GET", "/v1/workflows/nope"), 404, "unknown_workflow");
}
