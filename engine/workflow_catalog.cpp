// The workflow catalog (see workflow_catalog.hpp). Files are validated in
// a scratch sandboxed state, the same way a worker will load them.
#include "engine/workflow_catalog.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dsl/lua_state.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::engine {

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

WorkflowCatalog::WorkflowCatalog(Store& store, std::string workflows_dir)
    : store_(&store), dir_(std::move(workflows_dir)) {}

WorkflowCatalog::WorkflowCatalog(std::string workflows_dir)
    : store_(nullptr), dir_(std::move(workflows_dir)) {}

std::optional<ScriptInfo> WorkflowCatalog::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();

  dsl::LuaState scratch({dir_});
  auto spec = dsl::load_workflow(scratch.get(), source, path);
  if (!spec) return std::nullopt;

  ScriptInfo info{sha256_hex(source), spec->name, path, spec->timeout_ms, spec->schedules,
                  spec->webhooks, spec->secrets.items()};
  if (store_) store_->put_script(info.hash, info.workflow, source);
  std::lock_guard lock(mutex_);
  sources_[info.hash] = std::move(source);
  return info;
}

void WorkflowCatalog::check_webhook_paths(const ScriptInfo& info,
                                          const std::map<std::string, ScriptInfo>& registered) {
  for (const auto& hook : info.webhooks)
    for (const auto& [name, other] : registered)
      for (const auto& taken : other.webhooks)
        if (name != info.workflow && taken.path == hook.path)
          throw std::runtime_error(hook.where + ": webhook path " + hook.path +
                                   " is already declared by workflow '" + name + "' (" +
                                   taken.where + ")");
}

ScriptInfo WorkflowCatalog::add_file(const std::string& path) {
  auto info = load_file(path);
  if (!info) throw std::runtime_error(path + ": the file must return weft.workflow { ... }");
  std::lock_guard lock(mutex_);
  check_webhook_paths(*info, by_name_);
  by_name_[info->workflow] = *info;
  return *info;
}

std::vector<std::string> WorkflowCatalog::read_folder(std::map<std::string, ScriptInfo>& into) {
  std::vector<std::string> problems;
  if (dir_.empty()) return problems;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".lua") files.push_back(entry.path());
  if (ec) return {dir_ + ": " + ec.message()};
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      // Files returning something other than a workflow are helper modules.
      if (auto info = load_file(file.string())) {
        check_webhook_paths(*info, into);
        into[info->workflow] = *info;
      }
    } catch (const std::exception& e) {
      problems.push_back(e.what());
      std::lock_guard lock(mutex_);
      for (const auto& [name, info] : by_name_)  // a broken edit keeps the version that worked
        if (info.path == file.string() && !into.count(name)) into[name] = info;
    }
  }
  return problems;
}

std::vector<std::string> WorkflowCatalog::add_folder() {
  std::map<std::string, ScriptInfo> found;
  auto problems = read_folder(found);
  std::lock_guard lock(mutex_);
  for (auto& [name, info] : found) by_name_[name] = std::move(info);
  return problems;
}

std::vector<std::string> WorkflowCatalog::reload() {
  std::map<std::string, ScriptInfo> found;
  auto problems = read_folder(found);
  std::lock_guard lock(mutex_);
  by_name_ = std::move(found);
  return problems;
}

std::optional<ScriptInfo> WorkflowCatalog::by_name(const std::string& workflow) const {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(workflow);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<ScriptInfo> WorkflowCatalog::all() const {
  std::lock_guard lock(mutex_);
  std::vector<ScriptInfo> out;
  for (const auto& [name, info] : by_name_) out.push_back(info);
  return out;
}

std::optional<WebhookRoute> WorkflowCatalog::webhook(const std::string& path) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, info] : by_name_)
    for (const auto& hook : info.webhooks)
      if (hook.path == path) return WebhookRoute{info, hook};
  return std::nullopt;
}

std::string WorkflowCatalog::source(const std::string& hash) {
  {
    std::lock_guard lock(mutex_);
    auto it = sources_.find(hash);
    if (it != sources_.end()) return it->second;
  }
  auto stored = store_ ? store_->get_script(hash) : std::nullopt;
  if (!stored) throw std::runtime_error("script version " + hash + " is not in the store");
  std::lock_guard lock(mutex_);
  sources_[hash] = *stored;
  return *stored;
}

}  // namespace weft::engine
