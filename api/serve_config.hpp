// weft serve's settings, from (lowest to highest precedence) defaults, a
// weft.toml file, WEFT_* environment variables and command-line options.
// See `weft serve --help` and docs/cli.md for every setting.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/cli_args.hpp"
#include "engine/log.hpp"
#include "engine/rate_limiter.hpp"
#include "stdlib/email_transport.hpp"

namespace weft::api {

struct ServeConfig {
  std::string config_file;  // the file read, empty when none
  std::string listen = "127.0.0.1:8080";
  std::string workflows = "./workflows";
  std::string db = kDefaultDb;
  std::string key_file;  // default: the database path + ".key"
  std::string tokens_file;  // bearer tokens, one entry a line (api/auth_tokens.hpp)
  int workers = 0;       // 0: one per core
  int crash_limit = 3;   // see engine::EngineOptions::crash_limit
  int http_threads = 0;  // 0: half the cores, at least one
  std::chrono::milliseconds shutdown_grace{10'000};
  std::chrono::milliseconds read_timeout{30'000};
  log::Level log_level = log::Level::Info;
  std::string log_format = "auto";  // json | text | auto (text when stderr is a terminal)
  std::map<std::string, engine::LimitSpec> limits;  // [limits] keys, declared at startup
  stdlib::EmailSettings email;  // [email]: weft.email's SMTP server (none: url empty)
};

// Looks up an environment variable (std::getenv in production).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> process_env(const std::string& name);

// `args` were checked against serve_options(). Throws UsageError for a
// bad value, ConfigError ("FILE:LINE: message") for a bad file.
ServeConfig load_serve_config(const CliArgs& args, const EnvLookup& env = process_env);

// weft serve's options, one per setting (and --config), each with its
// environment variable and weft.toml key in its help.
std::vector<CliOption> serve_options();

}  // namespace weft::api
