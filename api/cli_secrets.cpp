// weft secrets: managing encrypted secrets (set, list, delete, rotate-key),
// in the shared namespace or a tenant's (--tenant). Values never reach
// stdout or stderr; `list` prints names, expiry, last update and meta.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "engine/json_limits.hpp"
#include "engine/schedules.hpp"
#include "stdlib/secret_records.hpp"

namespace weft::api {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string read_value(const CliArgs& args) {
  if (auto value = args.get("value")) return *value;
  std::stringstream text;
  if (auto file = args.get("from-file")) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw UsageError("--from-file: cannot read " + *file);
    text << in.rdbuf();
    return text.str();
  }
  text << std::cin.rdbuf();  // a trailing newline from `echo` is not part of the value
  std::string value = text.str();
  if (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

std::string name_argument(const CliArgs& args, const char* usage) {
  std::string name = args.positional(1, usage);
  if (!engine::valid_secret_name(name))
    throw UsageError("invalid secret name (1-256 bytes, no control characters)");
  return name;
}

int set_secret(const CliArgs& args, engine::Store& store, const stdlib::SecretKeys& keys,
               const std::string& tenant) {
  engine::SecretInfo info;
  info.name = name_argument(args, "secret name (weft secrets set NAME)");
  info.updated_at = now_ms();
  if (auto expires = args.get("expires-at")) {
    bool digits = !expires->empty() && expires->size() < 16 &&
                  expires->find_first_not_of("0123456789") == std::string::npos;
    try {
      info.expires_at = stdlib::secret_expiry_ms(digits ? nlohmann::json(std::stoll(*expires))
                                                        : nlohmann::json(*expires));
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--expires-at: ") + e.what());
    }
  }
  nlohmann::json meta;
  if (auto text = args.get("meta")) {
    try {
      meta = engine::parse_json(*text);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--meta: not JSON: ") + e.what());
    }
  }
  std::string value = read_value(args);
  try {
    info.meta = stdlib::secret_meta_text(meta, value);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--meta: ") + e.what());
  }
  stdlib::put_secret_value(store.secrets(), keys, tenant, info, value);
  std::cout << "secret " << info.name << (tenant.empty() ? "" : " of tenant " + tenant) << " set" << std::endl;
  return 0;
}

// Names, expiry, last update and meta: never values.
int list_secrets(const CliArgs& args, engine::Store& store, const std::string& tenant) {
  auto listed = store.secrets().list_secrets(tenant);
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& info : listed)
      out.push_back({{"name", info.name},
                     {"expires_at", info.expires_at > 0 ? nlohmann::json(engine::iso_utc(info.expires_at / 1000)) : nullptr},
                     {"updated_at", engine::iso_utc(info.updated_at / 1000)},
                     {"meta", engine::parse_json(info.meta, engine::kMaxStoredJsonDepth)}});
    std::cout << engine::dump_json(out, 2) << std::endl;
    return 0;
  }
  std::printf("%-32s %-22s %-22s %s\n", "NAME", "EXPIRES (UTC)", "UPDATED (UTC)", "META");
  for (const auto& info : listed)
    std::printf("%-32s %-22s %-22s %s\n", info.name.c_str(),
                info.expires_at > 0 ? engine::iso_utc(info.expires_at / 1000).c_str() : "-",
                engine::iso_utc(info.updated_at / 1000).c_str(), info.meta.c_str());
  return 0;
}

int rotate_key(engine::Store& store, const stdlib::SecretKeys& keys) {
  if (const char* env = std::getenv("WEFT_MASTER_KEY"); env && *env)
    throw UsageError("the master key comes from WEFT_MASTER_KEY; rotate-key rotates key files only");
  std::string next_file = keys.key_file() + ".next";
  // An interrupted rotation left its new key behind: finish with that one.
  std::string new_key = ::access(next_file.c_str(), R_OK) == 0 ? stdlib::read_key_file(next_file)
                                                               : stdlib::SecretBox::generate_key();
  stdlib::write_key_file(next_file, new_key, false);
  stdlib::SecretBox next(new_key);
  std::vector<engine::SealedSecret> resealed = store.secrets().all_secrets();  // every namespace
  for (auto& secret : resealed) {
    std::string label = stdlib::secret_label(secret.tenant, secret.name);
    secret.ciphertext = next.seal(label, keys.open(label, secret.ciphertext));
  }
  store.secrets().replace_secrets(resealed);
  if (std::rename(next_file.c_str(), keys.key_file().c_str()) != 0)
    throw std::runtime_error("cannot replace the key file " + keys.key_file());
  std::cout << "rotated the master key; " << resealed.size() << " secret(s) re-encrypted" << std::endl;
  return 0;
}

}  // namespace

std::string key_file_for(const CliArgs& args) {
  return args.get_or("key-file", args.get_or("db", kDefaultDb) + ".key");
}

int cmd_secrets(const CliArgs& args) {
  std::string action = args.positional(0, "action (set, list, delete, rotate-key)");
  if (action != "set" && action != "list" && action != "delete" && action != "rotate-key")
    throw UsageError("unknown action '" + action + "' (set, list, delete, rotate-key)");
  // Only set adds to the database; the others act on secrets already there.
  auto store_owner = action == "set" ? open_or_create_store(args) : open_existing_store(args);
  engine::Store& store = *store_owner;
  std::string tenant = tenant_option(args);
  if (action == "rotate-key" && !tenant.empty())
    throw UsageError("rotate-key re-encrypts the secrets of every tenant: it takes no --tenant");
  stdlib::SecretKeys keys(key_file_for(args));
  if (action == "set") return set_secret(args, store, keys, tenant);
  if (action == "list") return list_secrets(args, store, tenant);
  if (action == "delete") {
    std::string name = name_argument(args, "secret name (weft secrets delete NAME)");
    if (!store.secrets().delete_secret(tenant, name)) {
      std::fprintf(stderr, "weft: no secret named %s%s\n", name.c_str(),
                   tenant.empty() ? "" : (" in tenant " + tenant).c_str());
      return 1;
    }
    std::cout << "secret " << name << " deleted" << std::endl;
    return 0;
  }
  return rotate_key(store, keys);
}

}  // namespace weft::api
