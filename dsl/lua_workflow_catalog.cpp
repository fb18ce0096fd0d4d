// The Lua workflow catalog (see lua_workflow_catalog.hpp). Files are
// validated in a scratch sandboxed state, the same way a worker will load
// them.
#include "dsl/lua_workflow_catalog.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dsl/lua_state.hpp"
#include "dsl/version_modules.hpp"
#include "dsl/workflow_description.hpp"
#include "dsl/workflow_spec.hpp"

namespace weft::dsl {

namespace {

// Where a workflow file is, as its version records it: its name relative
// to the workflows folder and that folder, or, for a file outside the
// folder, its own name and directory.
void place_in_folder(const std::string& path, const std::string& dir,
                     engine::ScriptVersion& version) {
  auto file = std::filesystem::absolute(path).lexically_normal();
  if (!dir.empty()) {
    auto folder = std::filesystem::absolute(dir).lexically_normal();
    auto relative = file.lexically_relative(folder);
    if (!relative.empty() && *relative.begin() != "..") {
      version.entry = relative.generic_string();
      version.folder = folder.string();
      return;
    }
  }
  version.entry = file.filename().string();
  version.folder = file.parent_path().string();
}

}  // namespace

bool is_test_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  const std::string suffix = "_test.lua";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

LuaWorkflowCatalog::LuaWorkflowCatalog(engine::ScriptStore& store, std::string workflows_dir)
    : store_(&store), dir_(std::move(workflows_dir)) {}

LuaWorkflowCatalog::LuaWorkflowCatalog(std::string workflows_dir)
    : store_(nullptr), dir_(std::move(workflows_dir)) {}

std::optional<engine::ScriptInfo> LuaWorkflowCatalog::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();

  LuaState scratch({dir_});
  auto spec = load_workflow(scratch.get(), source, path);
  if (!spec) return std::nullopt;

  engine::ScriptVersion version;
  version.workflow = spec->name;
  place_in_folder(path, dir_, version);
  version.files[version.entry] = std::move(source);
  for (auto& [module, file] : folder_modules_read(scratch.get())) {
    version.modules[module] = file.file;
    version.files[file.file] = std::move(file.source);
  }
  version.hash = engine::version_hash(version);
  engine::ScriptInfo info{version.hash, spec->name, path, spec->timeout_ms, spec->schedules,
                          spec->webhooks, spec->secrets.items(), spec->queue};
  if (store_) store_->put_version(version);
  std::lock_guard lock(mutex_);
  versions_[info.hash] = std::move(version);
  descriptions_[info.hash] = describe_workflow(*spec);
  return info;
}

void LuaWorkflowCatalog::check_unique_names(const engine::ScriptInfo& info,
                                            const ByName& registered) {
  if (!info.queue.name.empty())
    for (const auto& [name, other] : registered)
      if (name != info.workflow && other.queue.name == info.queue.name)
        throw std::runtime_error(info.path + ": queue '" + info.queue.name +
                                 "' is already declared by workflow '" + name + "' (" + other.path + ")");
  for (const auto& hook : info.webhooks)
    for (const auto& [name, other] : registered)
      for (const auto& taken : other.webhooks)
        if (name != info.workflow && taken.path == hook.path)
          throw std::runtime_error(hook.where + ": webhook path " + hook.path +
                                   " is already declared by workflow '" + name + "' (" +
                                   taken.where + ")");
}

engine::ScriptInfo LuaWorkflowCatalog::add_file(const std::string& path) {
  auto info = load_file(path);
  if (!info) throw std::runtime_error(path + ": the file must return weft.workflow { ... }");
  std::lock_guard lock(mutex_);
  check_unique_names(*info, by_name_);
  by_name_[info->workflow] = *info;
  return *info;
}

std::vector<std::string> LuaWorkflowCatalog::read_folder(ByName& into) {
  std::vector<std::string> problems;
  if (dir_.empty()) return problems;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".lua" && !is_test_file(entry.path()))
      files.push_back(entry.path());
  if (ec) return {dir_ + ": " + ec.message()};
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      // Files returning something other than a workflow are helper modules.
      if (auto info = load_file(file.string())) {
        check_unique_names(*info, into);
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

std::vector<std::string> LuaWorkflowCatalog::add_folder() {
  ByName found;
  auto problems = read_folder(found);
  std::lock_guard lock(mutex_);
  for (auto& [name, info] : found) by_name_[name] = std::move(info);
  return problems;
}

std::vector<std::string> LuaWorkflowCatalog::reload() {
  ByName found;
  auto problems = read_folder(found);
  std::lock_guard lock(mutex_);
  by_name_ = std::move(found);
  return problems;
}

std::optional<engine::ScriptInfo> LuaWorkflowCatalog::by_name(const std::string& workflow) const {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(workflow);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<engine::ScriptInfo> LuaWorkflowCatalog::all() const {
  std::lock_guard lock(mutex_);
  std::vector<engine::ScriptInfo> out;
  for (const auto& [name, info] : by_name_) out.push_back(info);
  return out;
}

std::optional<engine::WebhookRoute> LuaWorkflowCatalog::webhook(const std::string& path) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, info] : by_name_)
    for (const auto& hook : info.webhooks)
      if (hook.path == path) return engine::WebhookRoute{info, hook};
  return std::nullopt;
}

std::vector<engine::QueueSpec> LuaWorkflowCatalog::queues() const {
  std::lock_guard lock(mutex_);
  std::vector<engine::QueueSpec> out;
  for (const auto& [name, info] : by_name_)
    if (!info.queue.name.empty()) out.push_back(info.queue);
  return out;
}

std::optional<nlohmann::json> LuaWorkflowCatalog::describe(const std::string& workflow) const {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(workflow);
  if (it == by_name_.end()) return std::nullopt;
  auto found = descriptions_.find(it->second.hash);
  nlohmann::json out = found == descriptions_.end() ? nlohmann::json::object() : found->second;
  out["version"] = it->second.hash;
  return out;
}

engine::ScriptVersion LuaWorkflowCatalog::version(const std::string& hash) {
  {
    std::lock_guard lock(mutex_);
    auto it = versions_.find(hash);
    if (it != versions_.end()) return it->second;
  }
  auto stored = store_ ? store_->get_version(hash) : std::nullopt;
  if (!stored) throw std::runtime_error("script version " + hash + " is not in the store");
  std::lock_guard lock(mutex_);
  return versions_.emplace(hash, std::move(*stored)).first->second;
}

}  // namespace weft::dsl
