// Settings of weft serve (see serve_config.hpp). Every setting has one
// row in settings(): its weft.toml key, its environment variable, its
// option and its help, so the sources cannot drift apart.
#include "api/serve_config.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

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
  const char* value;  // the option's placeholder
  const char* about;  // the default and a hint, shown after "key = " in help
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
      {"server", "listen", "WEFT_LISTEN", "listen", "HOST:PORT",
       "\"127.0.0.1:8080\" (PORT 0: any free port)",
       [](ServeConfig& c, const std::string& v) { c.listen = v; }},
      {"server", "workflows", "WEFT_WORKFLOWS", "workflows", "DIR", "\"./workflows\"",
       [](ServeConfig& c, const std::string& v) { c.workflows = v; }},
      {"server", "db", "WEFT_DB", "db", "PATH", "\"./weft.db\"",
       [](ServeConfig& c, const std::string& v) { c.db = v; }},
      {"server", "key_file", "WEFT_KEY_FILE", "key-file", "PATH",
       "DB + \".key\" (master key of weft.secrets)",
       [](ServeConfig& c, const std::string& v) { c.key_file = v; }},
      {"server", "tokens_file", "WEFT_TOKENS_FILE", "tokens-file", "PATH",
       "none (one `TOKEN [tenant=NAME]` a line)",
       [](ServeConfig& c, const std::string& v) { c.tokens_file = v; }},
      {"server", "workers", "WEFT_WORKERS", "workers", "N", "one per core",
       [](ServeConfig& c, const std::string& v) { c.workers = positive_int("workers", v); }},
      {"server", "http_threads", "WEFT_HTTP_THREADS", "http-threads", "N",
       "half the cores, at least one",
       [](ServeConfig& c, const std::string& v) { c.http_threads = positive_int("http_threads", v); }},
      {"server", "crash_limit", "WEFT_CRASH_LIMIT", "crash-limit", "N",
       "3 (a run caught in this many crashes fails as \"crashed\")",
       [](ServeConfig& c, const std::string& v) { c.crash_limit = positive_int("crash_limit", v); }},
      {"server", "shutdown_grace", "WEFT_SHUTDOWN_GRACE", "shutdown-grace", "DUR", "\"10s\"",
       [](ServeConfig& c, const std::string& v) { c.shutdown_grace = duration("shutdown_grace", v); }},
      {"server", "read_timeout", "WEFT_READ_TIMEOUT", "read-timeout", "DUR",
       "\"30s\" (a request must arrive within it)",
       [](ServeConfig& c, const std::string& v) {
         c.read_timeout = duration("read_timeout", v);
         // 0 would time out every read at once: the server would answer nothing.
         if (c.read_timeout.count() < 1) throw UsageError("read_timeout must be more than 0, got '" + v + "'");
       }},
      {"server", "log_level", "WEFT_LOG_LEVEL", "log-level", "LEVEL",
       "\"info\" (debug, info, warn, error)",
       [](ServeConfig& c, const std::string& v) {
         auto level = log::level_from(v);
         if (!level) throw UsageError("log_level must be debug, info, warn or error, got '" + v + "'");
         c.log_level = *level;
       }},
      {"server", "log_format", "WEFT_LOG_FORMAT", "log-format", "FORMAT",
       "\"auto\" (json, text; auto: text on a terminal)",
       [](ServeConfig& c, const std::string& v) {
         if (!log::format_from(v)) throw UsageError("log_format must be auto, json or text, got '" + v + "'");
         c.log_format = v;
       }},
  };
  return table;
}

// A TOML value as the text an option would carry (numbers as digits).
std::string as_text(const json& value, const std::string& where, const std::string& key) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  throw ConfigError(where + ": [server] " + key + " must be a string or an integer");
}

void apply_limits(ServeConfig& config, const ConfigFile& file, const json& table) {
  if (!table.is_object()) throw ConfigError(file.where({"limits"}) + ": [limits] must be a table");
  for (const auto& [key, spec] : table.items()) {
    try {
      config.limits[key] = engine::parse_limit_spec(key, spec);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(file.where({"limits", key}) + ": [limits] " + e.what());
    }
  }
}

// [email]: url (smtp:// or smtps://, no credentials in it), username with
// password_secret, starttls (default true), timeout.
void apply_email(ServeConfig& config, const ConfigFile& file, const json& table) {
  if (!table.is_object()) throw ConfigError(file.where({"email"}) + ": [email] must be a table");
  stdlib::EmailSettings& email = config.email;
  for (const auto& [key, value] : table.items()) {
    std::string where = file.where({"email", key}) + ": [email] " + key;
    if (key == "starttls") {
      if (!value.is_boolean()) throw ConfigError(where + " must be true or false");
      email.starttls = value.get<bool>();
      continue;
    }
    if (!value.is_string()) throw ConfigError(where + " must be a string");
    std::string text = value.get<std::string>();
    if (key == "url") {
      size_t slashes = text.find("//");
      std::string authority = slashes == std::string::npos ? "" : text.substr(slashes + 2);
      authority = authority.substr(0, authority.find('/'));
      if (authority.find('@') != std::string::npos)  // checked first: the message must not repeat a password
        throw ConfigError(where + " must not hold credentials: set username, and password_secret to a secret's name");
      if ((text.rfind("smtp://", 0) != 0 && text.rfind("smtps://", 0) != 0) || authority.empty())
        throw ConfigError(where + " must be smtp://HOST[:PORT] or smtps://HOST[:PORT], got '" + text + "'");
      email.url = text;
    } else if (key == "username") {
      email.username = text;
    } else if (key == "password_secret") {
      email.password_secret = text;
    } else if (key == "timeout") {
      email.timeout_ms = duration("[email] timeout", text).count();
      if (email.timeout_ms < 1) throw ConfigError(where + " must be more than 0");
    } else {
      throw ConfigError(file.where({"email", key}) + ": unknown setting '" + key +
                        "' in [email] (known: url, username, password_secret, starttls, timeout)");
    }
  }
  if (email.url.empty()) throw ConfigError(file.where({"email"}) + ": [email] needs url");
  if (email.username.empty() != email.password_secret.empty())
    throw ConfigError(file.where({"email"}) + ": [email] username and password_secret go together");
}

void apply_file(ServeConfig& config, const ConfigFile& file) {
  for (const auto& [section, table] : file.values.items()) {
    if (section == "limits") {
      apply_limits(config, file, table);
      continue;
    }
    if (section == "email") {
      apply_email(config, file, table);
      continue;
    }
    if (section != "server" || !table.is_object())
      throw ConfigError(file.where({section}) + ": unknown section [" + section +
                        "] (known: [server], [limits], [email])");
    for (const auto& [key, value] : table.items()) {
      std::string where = file.where({section, key});
      auto setting = std::find_if(settings().begin(), settings().end(),
                                  [&](const Setting& s) { return key == s.key; });
      if (setting == settings().end())
        throw ConfigError(where + ": unknown setting '" + key + "' in [server]");
      try {
        setting->set(config, as_text(value, where, key));
      } catch (const UsageError& e) {
        throw ConfigError(where + ": " + e.what());
      }
    }
  }
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

ServeConfig load_serve_config(const CliArgs& args, const EnvLookup& env) {
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

std::vector<CliOption> serve_options() {
  auto columns = [](std::string env, const std::string& text) {
    env.resize(std::max<size_t>(env.size() + 1, 21), ' ');
    return env + text;
  };
  std::vector<CliOption> options{
      {"config", "PATH", columns("WEFT_CONFIG", "configuration file (default ./weft.toml if present)")}};
  for (const auto& s : settings())
    options.push_back({s.option, s.value, columns(s.env, std::string(s.key) + " = " + s.about)});
  return options;
}

}  // namespace weft::api
