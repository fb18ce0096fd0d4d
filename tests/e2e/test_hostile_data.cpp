// Hostile data against a real `weft serve` / `weft run` (issue 10): JSON
// nested 100,000 deep, bytes that are not UTF-8, NUL bytes in keys, step
// names without end, histories of many events. Each case asserts what a
// user sees: the status code, the error, the run's final status, and a
// server that still answers.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "engine/store_open.hpp"
#include "engine/utf8.hpp"
#include "tests/fakes/fake_server.hpp"
#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::request;
using weft::testing::run_command;
using weft::testing::Server;
using weft::testing::TempDir;

namespace {

std::string workflow(const std::string& name, const std::string& body) {
  return "local weft = require 'weft'\nlocal json = require 'weft.json'\nlocal http = require 'weft.http'\n"
         "return weft.workflow { name = '" + name + "', retry = { attempts = 1 },\n"
         "  run = function(ctx, input)\n" + body + "\n  end }\n";
}

// Starts a run of `name` and waits (bounded) for it to end; the run's JSON.
json run_to_end(const Server& server, const std::string& name, const std::string& input = "{}") {
  auto started = request("POST", server.url("/v1/workflows/" + name + "/runs?wait=30"), input);
  REQUIRE((started.status == 200 || started.status == 201 || started.status == 202));
  json run = started.json_body();
  const std::string id = run["id"];
  for (int i = 0; i < 3000 && (run["status"] == "pending" || run["status"] == "running"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run = request("GET", server.url("/v1/runs/" + id)).json_body();
  }
  return run;
}

void check_alive(const Server& server) {
  CHECK(request("GET", server.url("/healthz")).status == 200);
}

std::string deep(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

}  // namespace

TEST_CASE("issue 10: JSON nested 100,000 deep fails its run with a clear error, never the process",
          "[e2e][hostile][json]") {
  weft::testing::FakeServer provider;
  provider.on("GET", "/deep", [](const weft::testing::FakeRequest&) {
    weft::testing::FakeResponse r = weft::testing::FakeResponse::text(200, deep(100000));
    r.headers["Content-Type"] = "application/json";
    return r;
  });
  weft::testing::ServeOptions options;
  options.workflows = {
      {"decode_pcall", workflow("decode_pcall", R"(
    local ok, err = pcall(json.decode, string.rep("[", 100000) .. string.rep("]", 100000))
    return { ok = ok, kind = err.kind, message = err.message })")},
      {"decode_bare", workflow("decode_bare", R"(
    return json.decode(string.rep("[", 100000) .. string.rep("]", 100000)))")},
      {"http_deep", workflow("http_deep", R"(
    return ctx:step("get", function() return http.get(input.url):json() end))")},
      {"deep_result", workflow("deep_result", R"(
    return ctx:step("build", function()
      local t = {} for i = 1, 100000 do t = { t } end return t
    end))")},
      {"self_result", workflow("self_result", R"(
    local t = { name = "loop" } t.self = t
    return t)")},
  };
  Server server(options);

  json pcalled = run_to_end(server, "decode_pcall");
  CHECK(pcalled["status"] == "completed");
  CHECK(pcalled["result"]["ok"] == false);
  CHECK(pcalled["result"]["kind"] == "json");
  CHECK_THAT(pcalled["result"]["message"].get<std::string>(), Catch::Contains("nested deeper than 512 levels"));

  json bare = run_to_end(server, "decode_bare");
  CHECK(bare["status"] == "failed");
  CHECK_THAT(bare["error"]["message"].get<std::string>(), Catch::Contains("nested deeper than 512 levels"));

  json fetched = run_to_end(server, "http_deep", json{{"url", provider.url("/deep")}}.dump());
  CHECK(fetched["status"] == "failed");
  CHECK_THAT(fetched["error"]["message"].get<std::string>(), Catch::Contains("nested deeper than 512 levels"));

  json result = run_to_end(server, "deep_result");
  CHECK(result["status"] == "failed");
  CHECK(result["error"]["kind"] == "serialization");
  CHECK_THAT(result["error"]["message"].get<std::string>(),
             Catch::Contains("result of step 'build'") && Catch::Contains("nested deeper than 512"));

  json self = run_to_end(server, "self_result");
  CHECK(self["status"] == "failed");
  CHECK(self["error"]["kind"] == "serialization");
  CHECK_THAT(self["error"]["message"].get<std::string>(), Catch::Contains("workflow result.self.self"));

  auto body = request("POST", server.url("/v1/workflows/hello/runs"), deep(100000));
  CHECK(body.status == 400);
  CHECK(body.json_body()["error"]["code"] == "json_too_deep");
  check_alive(server);
}

TEST_CASE("issue 10: weft run --input with 50,000 nested arrays exits 2 naming the limit",
          "[e2e][hostile][json][cli]") {
  TempDir dir;
  auto input = dir.path() / "deep.json";
  std::ofstream(input) << deep(50000);
  auto r = run_command({WEFT_BINARY, "run", std::string(WEFT_SOURCE_DIR) + "/examples/hello.lua", "--input",
                        "@" + input.string(), "--db", (dir.path() / "weft.db").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--input: JSON nested deeper than 512 levels"));
}

TEST_CASE("issue 10: bytes that are not UTF-8 fail their run cleanly and history and metrics stay readable",
          "[e2e][hostile][utf8]") {
  weft::testing::ServeOptions options;
  options.workflows = {
      {"bad_name", workflow("bad_name", R"(
    return ctx:step("bad\255byte", function() return 1 end))")},
      {"bad_result", workflow("bad_result", R"(
    return ctx:step("cut", function() return { name = string.sub("caf\u{e9}", 1, 4) } end))")},
      {"bad_error", workflow("bad_error", R"(
    return ctx:step("boom", function() error("bad\255byte", 0) end))")},
      {"bad_event", workflow("bad_event", R"(
    return ctx:wait_event("go\255"))")},
      {"bad_workflow_result", workflow("bad_workflow_result", R"(
    return { ["k\255"] = 1 })")},
  };
  Server server(options);

  json name = run_to_end(server, "bad_name");
  CHECK(name["status"] == "failed");
  CHECK_THAT(name["error"]["message"].get<std::string>(), Catch::Contains("step name is not valid UTF-8"));

  json result = run_to_end(server, "bad_result");
  CHECK(result["status"] == "failed");
  CHECK(result["error"]["kind"] == "serialization");
  CHECK_THAT(result["error"]["message"].get<std::string>(),
             Catch::Contains("result of step 'cut'.name: invalid UTF-8 (byte 0xC3 at offset 3)"));

  json error = run_to_end(server, "bad_error");
  CHECK(error["status"] == "failed");
  CHECK_THAT(error["error"]["message"].get<std::string>(),
             Catch::Contains("bad\xEF\xBF\xBD" "byte"));  // replaced, not refused

  json event = run_to_end(server, "bad_event");
  CHECK(event["status"] == "failed");
  CHECK_THAT(event["error"]["message"].get<std::string>(), Catch::Contains("event name is not valid UTF-8"));

  json returned = run_to_end(server, "bad_workflow_result");
  CHECK(returned["status"] == "failed");
  CHECK(returned["error"]["kind"] == "serialization");

  for (const json& run : {name, result, error}) {
    auto history = request("GET", server.url("/v1/runs/" + run["id"].get<std::string>() + "/history"));
    CHECK(history.status == 200);
  }
  auto failed_step = request("GET", server.url("/v1/runs/" + result["id"].get<std::string>() + "/history"))
                         .json_body()["history"][0];
  CHECK(failed_step["name"] == "cut");
  CHECK(failed_step["status"] == "failed");

  // A row written by an older version with a raw byte in it: answered with
  // U+FFFD instead of aborting the process.
  {
    auto store_owner = weft::engine::open_store(server.db());
    auto& store = *store_owner;
    weft::engine::HistoryEvent e;
    e.run_id = name["id"];
    e.seq = 9;
    e.name = "old\xff" "name";
    e.status = weft::engine::EventStatus::Completed;
    e.result = "old\xfe" "value";
    REQUIRE(store.runs().commit({{e.run_id, "", {weft::engine::PutEvent{e}}}}) == std::vector<bool>{true});
  }
  auto old = request("GET", server.url("/v1/runs/" + name["id"].get<std::string>() + "/history"));
  REQUIRE(old.status == 200);
  CHECK(old.json_body()["history"].back()["name"] == "old\xEF\xBF\xBD" "name");

  auto metrics = request("GET", server.url("/metrics"));
  CHECK(metrics.status == 200);
  CHECK(weft::engine::valid_utf8(metrics.body));
  check_alive(server);
}

TEST_CASE("issue 10: NUL bytes in keys survive input and result", "[e2e][hostile][json]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"echo", workflow("echo", R"(
    local copy = ctx:step("copy", function() return input end)
    return { input = input, copy = copy })")}};
  Server server(options);
  json input = json::parse(R"({"foo\u0000bar": 42, "foo": 1, "s": "a\u0000b"})");
  json run = run_to_end(server, "echo", input.dump());
  CHECK(run["status"] == "completed");
  CHECK(run["result"]["input"] == input);
  CHECK(run["result"]["copy"] == input);
}

TEST_CASE("issue 10: step names per workflow are capped in /metrics, the rest count as other",
          "[e2e][hostile][metrics]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"many_steps", workflow("many_steps", R"(
    for i = 1, 150 do ctx:step("s" .. i, function() return i end) end
    return "done")")}};
  Server server(options);
  json run = run_to_end(server, "many_steps");
  REQUIRE(run["status"] == "completed");
  auto metrics = request("GET", server.url("/metrics"));
  REQUIRE(metrics.status == 200);
  std::set<std::string> steps;
  const std::string prefix = "weft_step_duration_seconds_count{workflow=\"many_steps\",step=\"";
  for (size_t at = metrics.body.find(prefix); at != std::string::npos; at = metrics.body.find(prefix, at + 1)) {
    size_t start = at + prefix.size();
    steps.insert(metrics.body.substr(start, metrics.body.find('"', start) - start));
  }
  CHECK(steps.size() == 101);  // s1..s100 and "other"
  CHECK(steps.count("other") == 1);
  CHECK(steps.count("s100") == 1);
  CHECK(steps.count("s101") == 0);
}

TEST_CASE("issue 10: history is paged in the API and streamed by weft history", "[e2e][hostile][history]") {
  weft::testing::ServeOptions options;
  options.workflows = {{"long", workflow("long", R"(
    for i = 1, 25 do ctx:now() end
    return "done")")}};
  Server server(options);
  json run = run_to_end(server, "long");
  REQUIRE(run["status"] == "completed");
  const std::string base = "/v1/runs/" + run["id"].get<std::string>() + "/history";

  auto all = request("GET", server.url(base)).json_body();
  CHECK(all["history"].size() == 25);
  CHECK(all["next_after_seq"].is_null());

  json paged = json::array();
  std::string next = "0";
  int pages = 0;
  while (pages < 10) {
    auto reply = request("GET", server.url(base + "?limit=10&after_seq=" + next));
    REQUIRE(reply.status == 200);
    json page = reply.json_body();
    ++pages;
    CHECK(page["history"].size() <= 10);
    for (const auto& e : page["history"]) paged.push_back(e);
    if (page["next_after_seq"].is_null()) break;
    next = std::to_string(page["next_after_seq"].get<int64_t>());
  }
  CHECK(pages == 3);
  CHECK(paged == all["history"]);

  CHECK(request("GET", server.url(base + "?limit=0")).json_body()["error"]["code"] == "invalid_limit");
  CHECK(request("GET", server.url(base + "?limit=10001")).status == 400);
  CHECK(request("GET", server.url(base + "?after_seq=x")).json_body()["error"]["code"] == "invalid_cursor");

  auto cli = run_command({WEFT_BINARY, "history", run["id"].get<std::string>(), "--json", "--db", server.db()});
  REQUIRE(cli.exit_code == 0);
  CHECK(json::parse(cli.out) == all["history"]);
  auto table = run_command({WEFT_BINARY, "history", run["id"].get<std::string>(), "--db", server.db()});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("   25"));
}
