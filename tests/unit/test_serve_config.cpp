// weft serve's settings: weft.toml (TOML 1.0, read with toml++), and the
// precedence of options over environment over file over defaults, with
// errors that name FILE:LINE.
#include <catch2/catch.hpp>

#include <fstream>

#include "api/config_file.hpp"
#include "api/serve_config.hpp"
#include "tests/support/engine_fixture.hpp"

using nlohmann::json;
using weft::api::CliArgs;
using weft::api::ConfigError;
using weft::api::load_serve_config;
using weft::api::parse_config;
using weft::api::ServeConfig;
using weft::api::UsageError;

namespace {

ServeConfig load(std::vector<std::string> words, std::map<std::string, std::string> env = {}) {
  words.insert(words.begin(), {"weft", "serve"});
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  CliArgs args(static_cast<int>(argv.size()), argv.data(), 2, weft::api::serve_options());
  return load_serve_config(args, [&](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

std::string parse_error(const std::string& text) {
  try {
    parse_config(text, "weft.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("weft.toml: sections, strings, numbers, booleans, inline tables, comments",
          "[config]") {
  json doc = parse_config(R"(# a comment
[server]
listen = "0.0.0.0:9000"   # trailing comment
workers = 4
ratio = 0.5
verbose = true
name = 'literal \n stays'
escaped = "a\"b\\c"

[limits]
"api.hubapi.com" = { rate = 100, per = "10s" }
salesforce = { rate = 25, per = "1s", burst = 5 }
[a.b]
c.d = 1_000
)", "weft.toml").values;
  CHECK(doc["server"] == json({{"listen", "0.0.0.0:9000"}, {"workers", 4}, {"ratio", 0.5},
                               {"verbose", true}, {"name", "literal \\n stays"},
                               {"escaped", "a\"b\\c"}}));
  CHECK(doc["limits"]["api.hubapi.com"] == json({{"rate", 100}, {"per", "10s"}}));
  CHECK(doc["limits"]["salesforce"]["burst"] == 5);
  CHECK(doc["a"]["b"]["c"]["d"] == 1000);
}

TEST_CASE("a malformed weft.toml is refused with file and line", "[config]") {
  using Catch::Contains;
  using Catch::StartsWith;
  CHECK_THAT(parse_error("[server]\nlisten = \"x"), StartsWith("weft.toml:2: ") && Contains("string"));
  CHECK_THAT(parse_error("a = 1\na = 2"), StartsWith("weft.toml:2: ") && Contains("redefine"));
  CHECK_THAT(parse_error("[server\n"), StartsWith("weft.toml:1: ") && Contains("expected ']'"));
  CHECK_THAT(parse_error("x = 1.2.3"), StartsWith("weft.toml:1: "));
  CHECK_THAT(parse_error("x = yes"), StartsWith("weft.toml:1: ") && Contains("value"));
  CHECK_THAT(parse_error("x = 1 2"), StartsWith("weft.toml:1: "));
  CHECK_THAT(parse_error("x = { a = 1"), StartsWith("weft.toml:1: ") && Contains("inline table"));
  CHECK_THAT(parse_error("= 3"), StartsWith("weft.toml:1: "));
  CHECK_THAT(parse_error("x = 1\nx.y = 2"), StartsWith("weft.toml:2: ") && Contains("redefine"));
  CHECK_THAT(parse_error("[server]\nstarted = 1979-05-27"),
             StartsWith("weft.toml:2: ") && Contains("date or time"));
}

TEST_CASE("serve settings: option over environment over file over default", "[config]") {
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  std::ofstream(file) << "[server]\nlisten = \"127.0.0.1:7000\"\ndb = \"file.db\"\nworkers = 3\n"
                         "shutdown_grace = \"2s\"\n[limits]\ncrm = { rate = 5, per = \"1s\" }\n";
  auto config = load({"--config", file, "--listen", "127.0.0.1:9000"},
                     {{"WEFT_LISTEN", "127.0.0.1:8000"}, {"WEFT_DB", "env.db"}});
  CHECK(config.config_file == file);
  CHECK(config.listen == "127.0.0.1:9000");  // option
  CHECK(config.db == "env.db");              // environment
  CHECK(config.workers == 3);                // file
  CHECK(config.workflows == "./workflows");  // default
  CHECK(config.shutdown_grace == std::chrono::seconds(2));
  REQUIRE(config.limits.count("crm") == 1);
  CHECK(config.limits["crm"].rate == 5);

  auto from_env_file = load({}, {{"WEFT_CONFIG", file}});
  CHECK(from_env_file.listen == "127.0.0.1:7000");
}

TEST_CASE("the read timeout: 30s by default, from the file, the environment or the option",
          "[config]") {
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  std::ofstream(file) << "[server]\nread_timeout = \"5s\"\n";
  CHECK(load({}).read_timeout == std::chrono::seconds(30));
  CHECK(load({"--config", file}).read_timeout == std::chrono::seconds(5));
  CHECK(load({"--config", file}, {{"WEFT_READ_TIMEOUT", "1500ms"}}).read_timeout ==
        std::chrono::milliseconds(1500));
  CHECK(load({"--config", file, "--read-timeout", "2m"}, {{"WEFT_READ_TIMEOUT", "1500ms"}}).read_timeout ==
        std::chrono::minutes(2));
}

TEST_CASE("HTTP threads: automatic by default, from the file, the environment or the option",
          "[config]") {
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  std::ofstream(file) << "[server]\nhttp_threads = 3\n";
  CHECK(load({}).http_threads == 0);  // half the cores, at least one (cli_serve.cpp)
  CHECK(load({"--config", file}).http_threads == 3);
  CHECK(load({"--config", file}, {{"WEFT_HTTP_THREADS", "2"}}).http_threads == 2);
  CHECK(load({"--config", file, "--http-threads", "4"}, {{"WEFT_HTTP_THREADS", "2"}}).http_threads == 4);
}

TEST_CASE("bad serve settings are refused naming the setting", "[config]") {
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  CHECK_THROWS_WITH(load({"--workers", "zero"}), "workers must be a positive integer, got 'zero'");
  CHECK_THROWS_WITH(load({"--http-threads", "0"}), "http_threads must be a positive integer, got '0'");
  CHECK_THROWS_WITH(load({"--shutdown-grace", "soon"}),
                    "shutdown_grace must be a duration such as 10s or 500ms, got 'soon'");
  CHECK_THROWS_WITH(load({"--read-timeout", "soon"}),
                    "read_timeout must be a duration such as 10s or 500ms, got 'soon'");
  CHECK_THROWS_WITH(load({}, {{"WEFT_READ_TIMEOUT", "-1s"}}),
                    "read_timeout must be a duration such as 10s or 500ms, got '-1s'");
  CHECK_THROWS_WITH(load({"--read-timeout", "0s"}), "read_timeout must be more than 0, got '0s'");
  CHECK_THROWS_AS(load({"--bogus", "1"}), UsageError);
  std::ofstream(file) << "[server]\nlisen = \"x\"\n";
  CHECK_THROWS_WITH(load({"--config", file}), file + ":2: unknown setting 'lisen' in [server]");
  std::ofstream(file) << "[sever]\n";
  CHECK_THROWS_WITH(load({"--config", file}),
                    file + ":1: unknown section [sever] (known: [server], [limits], [email])");
  std::ofstream(file) << "[limits]\ncrm = { rate = -1, per = \"1s\" }\n";
  CHECK_THROWS_AS(load({"--config", file}), ConfigError);
  CHECK_THROWS_WITH(load({"--config", (dir.path() / "missing.toml").string()}),
                    Catch::Contains("cannot read the configuration file"));
}

TEST_CASE("issue 11: weft.toml takes what TOML 1.0 allows: arrays, escapes, multi-line strings",
          "[config]") {
  json doc = parse_config(R"([server]
paths = ["a", 'b', ]
cafe = "caf\u00e9\r\n"
text = """
first \
  second"""
hex = 0x10
[limits.crm]
rate = 5
)", "weft.toml").values;
  CHECK(doc["server"]["paths"] == json::array({"a", "b"}));
  CHECK(doc["server"]["cafe"] == "caf\xC3\xA9\r\n");
  CHECK(doc["server"]["text"] == "first second");
  CHECK(doc["server"]["hex"] == 16);
  CHECK(doc["limits"]["crm"]["rate"] == 5);

  // Where a setting takes a string, an escaped or multi-line one works.
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  std::ofstream(file) << "[server]\ndb = \"/var/lib/caf\\u00e9/weft.db\"\n"
                         "workflows = \"\"\"\n/srv/weft/\\\n  workflows\"\"\"\nworkers = 0x4\n"
                         "[limits.crm]\nrate = 5\nper = \"1s\"\n";
  auto config = load({"--config", file});
  CHECK(config.db == "/var/lib/caf\xC3\xA9/weft.db");
  CHECK(config.workflows == "/srv/weft/workflows");
  CHECK(config.workers == 4);
  CHECK(config.limits.at("crm").rate == 5);
}

TEST_CASE("issue 11: a bad weft.toml names the file and the line of the fault", "[config]") {
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  auto error = [&](const std::string& text) {
    std::ofstream(file) << text;
    try {
      load({"--config", file});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = "# weft\n[server]\nworkflows = \"\"\"\nlong\nname\"\"\"\n";  // 5 lines
  CHECK_THAT(error(head + "listen = = 1\n"), Catch::StartsWith(file + ":6: "));
  CHECK(error(head + "\nlisten_on = \"x\"\n") == file + ":7: unknown setting 'listen_on' in [server]");
  CHECK(error(head + "workers = 0\n") == file + ":6: workers must be a positive integer, got '0'");
  CHECK(error(head + "listen = [\"a\"]\n") == file + ":6: [server] listen must be a string or an integer");
  CHECK_THAT(error(head + "[limits]\ncrm = { rate = 5, pre = \"1s\" }\n"),
             Catch::StartsWith(file + ":7: [limits] ") && Catch::Contains("unknown field 'pre'"));
}

TEST_CASE("the email section of weft.toml: the SMTP server, its user and password secret, STARTTLS on by default",
          "[config][email]") {
  weft::testing::TempDir dir;
  std::string file = (dir.path() / "weft.toml").string();
  CHECK(load({}).email.url.empty());
  std::ofstream(file) << "[email]\nurl = \"smtps://smtp.example.com:465\"\nusername = \"weft\"\n"
                         "password_secret = \"smtp.password\"\ntimeout = \"20s\"\n";
  auto config = load({"--config", file});
  CHECK(config.email.url == "smtps://smtp.example.com:465");
  CHECK(config.email.username == "weft");
  CHECK(config.email.password_secret == "smtp.password");
  CHECK(config.email.starttls);
  CHECK(config.email.timeout_ms == 20'000);
  std::ofstream(file) << "[email]\nurl = \"smtp://127.0.0.1:2525\"\nstarttls = false\n";
  CHECK_FALSE(load({"--config", file}).email.starttls);

  auto refused = [&](const std::string& text, const std::string& message) {
    std::ofstream(file) << "[email]\n" << text;
    CHECK_THROWS_WITH(load({"--config", file}), file + message);
  };
  refused("url = \"http://smtp.example.com\"\n",
          ":2: [email] url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], got 'http://smtp.example.com'");
  refused("url = \"smtp://weft:hunter2@smtp.example.com\"\n",
          ":2: [email] url must not hold credentials: set username, and password_secret to a secret's name");
  refused("url = \"smtp://smtp.example.com\"\nstarttls = \"no\"\n", ":3: [email] starttls must be true or false");
  refused("url = \"smtp://smtp.example.com\"\npassword = \"x\"\n",
          ":3: unknown setting 'password' in [email] (known: url, username, password_secret, starttls, timeout)");
  refused("url = \"smtp://smtp.example.com\"\nusername = \"weft\"\n",
          ":1: [email] username and password_secret go together");
  refused("username = \"weft\"\npassword_secret = \"p\"\n", ":1: [email] needs url");
}
