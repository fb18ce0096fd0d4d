// weft secrets: managing encrypted secrets (set, list, delete, rotate-key).
// Values never reach stdout or stderr; `list` prints names only.
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
#include "stdlib/secret_box.hpp"

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

int set_secret(const CliArgs& args, engine::Store& store, const stdlib::SecretKeys& keys) {
  std::string name = args.positional(1, "secret name (weft secrets set NAME)");
  std::string value = read_value(args);
  store.secrets().put_secret(name, keys.box().seal(name, value), now_ms());
  std::cout << "secret " << name << " set" << std::endl;
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
  std::vector<std::pair<std::string, std::string>> resealed;
  for (const auto& name : store.secrets().secret_names())
    resealed.emplace_back(name, next.seal(name, keys.open(name, *store.secrets().get_secret(name))));
  store.secrets().replace_secrets(resealed, now_ms());
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
  stdlib::SecretKeys keys(key_file_for(args));
  if (action == "set") return set_secret(args, store, keys);
  if (action == "list") {
    for (const auto& name : store.secrets().secret_names()) std::cout << name << "\n";
    return 0;
  }
  if (action == "delete") {
    std::string name = args.positional(1, "secret name (weft secrets delete NAME)");
    if (!store.secrets().delete_secret(name)) {
      std::fprintf(stderr, "weft: no secret named %s\n", name.c_str());
      return 1;
    }
    std::cout << "secret " << name << " deleted" << std::endl;
    return 0;
  }
  return rotate_key(store, keys);
}

}  // namespace weft::api
