// Settings of weft serve (see serve_config.hpp). Every setting has one
// row in kSettings: its weft.toml place, its environment variable and its
// option, so the three sources cannot drift apart.
#include "api/serve_config.hpp"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "api/config_file.hpp"
#include "engine/duration.hpp"
#include "engine/log.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

constexpr const char* kDefaultConfigFile = "./weft.toml";

struct Setting {
  const char* section;
  const char* key;
  const char* env;
  const char* option;
  std::function<void(ServeConfig&, const std::string&)> set;
};

int positive_int(const std::string& name, const std::string& text) {
  bool digits = !text.empty() && text.size() < 6 && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(text) < 1) throw UsageError(name + " must be a positive integer, got '" + text + "'");
  return std::stoi(text);
}

std::chrono::milliseconds duration(const std::string& name, const std::string& text) {
  try {
    return std::chrono::milliseconds(engine::parse_duration_ms(text));
  } catch (const std::exception&) {
    throw UsageError(name + " must be a duration such as 10s or 500ms, got '" + text + "'");
  }
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"server", "listen", "WEFT_LISTEN", "listen",
       [](ServeConfig& c, const std::string& v) { c.listen = v; }},
      {"server", "workflows", "WEFT_WORKFLOWS", "workflows",
       [](ServeConfig& c, const std::string& v) { c.workflows = v; }},
      {"server", "db", "WEFT_DB", "db", [](ServeConfig& c, const std::string& v) { c.db = v; }},
      {"server", "key_file", "WEFT_KEY_FILE", "key-file",
       [](ServeConfig& c, const std::string& v) { c.key_file = v; }},
      {"server", "tokens_file", "WEFT_TOKENS_FILE", "tokens-file",
       [](ServeConfig& c, const std::string& v) { c.tokens_file = v; }},
      {"server", "workers", "WEFT_WORKERS", "workers",
       [](ServeConfig& c, const std::string& v) { c.workers = positive_int("workers", v); }},
      {"server", "crash_limit", "WEFT_CRASH_LIMIT", "crash-limit",
       [](ServeConfig& c, const std::string& v) { c.crash_limit = positive_int("crash_limit", v); }},
      {"server", "http_threads", "WEFT_HTTP_THREADS", "http-threads",
       [](ServeConfig& c, const std::string& v) { c.http_threads = positive_int("http_threads", v); }},
      {"server", "shutdown_grace", "WEFT_SHUTDOWN_GRACE", "shutdown-grace",
       [](ServeConfig& c, const std::string& v) { c.shutdown_grace = duration("shutdown_grace", v); }},
      {"server", "read_timeout", "WEFT_READ_TIMEOUT", "read-timeout",
       [](ServeConfig& c, const std::string& v) {
         c.read_timeout = duration("read_timeout", v);
         // 0 would time out every read at once: the server would answer nothing.
         if (c.read_timeout.count() < 1) throw UsageError("read_timeout must be more than 0, got '" + v + "'");
       }},
      {"server", "log_level", "WEFT_LOG_LEVEL", "log-level",
       [](ServeConfig& c, const std::string& v) {
         auto level = log::level_from(v);
         if (!level) throw UsageError("log_level must be debug, info, warn or error, got '" + v + "'");
         c.log_level = *level;
       }},
      {"server", "log_format", "WEFT_LOG_FORMAT", "log-format",
       [](ServeConfig& c, const std::string& v) {
         if (!log::format_from(v)) throw UsageError("log_format must be auto, json or text, got '" + v + "'");
         c.log_format = v;
       }},
  };
  return table;
}

// A TOML value as the text an option would carry (numbers as digits).
std::string as_text(const json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  throw ConfigError(where + " must be a string or an integer");
}

void apply_file(ServeConfig& config, const json& document) {
  const std::string& file = config.config_file;
  for (const auto& [section, table] : document.items()) {
    if (section == "limits") {
      if (!table.is_object()) throw ConfigError(file + ": [limits] must be a table");
      for (const auto& [key, spec] : table.items()) {
        try {
          config.limits[key] = stdlib::parse_limit_spec(key, spec);
        } catch (const std::invalid_argument& e) {
          throw ConfigError(file + ": [limits] " + e.what());
        }
      }
      continue;
    }
    if (section != "server" || !table.is_object())
      throw ConfigError(file + ": unknown section [" + section + "] (known: [server], [limits])");
    for (const auto& [key, value] : table.items()) {
      const Setting* setting = nullptr;
      for (const auto& s : settings())
        if (key == s.key) setting = &s;
      if (!setting) throw ConfigError(file + ": unknown setting '" + key + "' in [server]");
      try {
        setting->set(config, as_text(value, "[server] " + key));
      } catch (const UsageError& e) {
        throw ConfigError(file + ": " + e.what());
      }
    }
  }
}

std::set<std::string> allowed_options() {
  std::set<std::string> allowed{"config"};
  for (const auto& s : settings()) allowed.insert(s.option);
  return allowed;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

ServeConfig load_serve_config(const CliArgs& args, const EnvLookup& env) {
  args.allow_only(allowed_options());
  ServeConfig config;
  if (auto path = args.get("config")) {
    config.config_file = *path;
  } else if (auto from_env = env("WEFT_CONFIG")) {
    config.config_file = *from_env;
  } else if (std::filesystem::exists(kDefaultConfigFile)) {
    config.config_file = kDefaultConfigFile;
  }
  if (!config.config_file.empty()) apply_file(config, read_config_file(config.config_file));
  for (const auto& s : settings()) {
    if (auto value = env(s.env); value && !value->empty()) s.set(config, *value);
  }
  for (const auto& s : settings()) {
    if (auto value = args.get(s.option)) s.set(config, *value);
  }
  if (config.key_file.empty()) config.key_file = config.db + ".key";
  return config;
}

const char* serve_help() {
  return R"(usage: weft serve [options]

Serves the HTTP API (docs/api.md), runs the workflows of a folder, their
timers and cron schedules, until SIGTERM or SIGINT (graceful: in-flight
steps finish and runs are handed back within --shutdown-grace). SIGHUP
reloads the workflows folder.

Each setting comes from, highest first: the option, the environment
variable, the configuration file ([server] table), the default.

  --config PATH          WEFT_CONFIG          configuration file (default ./weft.toml if present)
  --listen HOST:PORT     WEFT_LISTEN          listen = "127.0.0.1:8080" (PORT 0: any free port)
  --workflows DIR        WEFT_WORKFLOWS       workflows = "./workflows"
  --db PATH              WEFT_DB              db = "./weft.db"
  --key-file PATH        WEFT_KEY_FILE        key_file = DB + ".key" (master key of weft.secrets)
  --tokens-file PATH     WEFT_TOKENS_FILE     tokens_file = none (one `TOKEN [tenant=NAME]` a line)
  --workers N            WEFT_WORKERS         workers = one per core
  --http-threads N       WEFT_HTTP_THREADS    http_threads = half the cores, at least one
  --crash-limit N        WEFT_CRASH_LIMIT     crash_limit = 3 (a run executing when the process
                                              died this many times is failed as "crashed")
  --shutdown-grace DUR   WEFT_SHUTDOWN_GRACE  shutdown_grace = "10s"
  --read-timeout DUR     WEFT_READ_TIMEOUT    read_timeout = "30s" (a request must arrive within it)
  --log-level LEVEL      WEFT_LOG_LEVEL       log_level = "info" (debug, info, warn, error)
  --log-format FORMAT    WEFT_LOG_FORMAT      log_format = "auto" (json, text; auto: text on a terminal)

Other environment:
  WEFT_API_TOKENS        comma-separated `TOKEN [tenant=NAME]` entries for /v1
                         (with the tokens file, both count; none: no auth)
  WEFT_MASTER_KEY        the master key itself, instead of the key file

Rate limits for the workflows' keys, in the configuration file:
  [limits]
  "api.hubapi.com" = { rate = 100, per = "10s" }
  salesforce = { rate = 25, per = "1s", burst = 5 }
They take precedence over limits a workflow declares for the same key.
)";
}

}  // namespace weft::api
