// weft blob: reading and writing weft.blob objects from outside a workflow
// (list, get, put, delete), in the shared namespace or a tenant's
// (--tenant), so what a run stored can be read without writing a workflow.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/cli_args.hpp"
#include "api/cli_store.hpp"
#include "api/commands.hpp"
#include "engine/blob_store.hpp"
#include "engine/json_limits.hpp"
#include "engine/schedules.hpp"

namespace weft::api {
namespace {

std::string path_argument(const CliArgs& args, const char* usage) {
  std::string path = args.positional(1, usage);
  if (!engine::valid_blob_path(path))
    throw UsageError("invalid blob path '" + path + "' (relative, no '..' or '//', at most 1024 bytes)");
  return path;
}

int list_blobs(const CliArgs& args, engine::Store& store, const std::string& tenant) {
  std::string prefix = args.positionals().size() > 1 ? args.positionals()[1] : "";
  if (!engine::valid_blob_path(prefix, true)) throw UsageError("invalid prefix '" + prefix + "'");
  auto blobs = store.blobs().list_blobs(tenant, prefix, args.count_or("limit", 1000));
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& blob : blobs)
      out.push_back({{"path", blob.path}, {"size", blob.size}, {"content_type", blob.content_type},
                     {"updated_at", blob.updated_at}});
    std::cout << engine::dump_json(out, 2) << std::endl;
    return 0;
  }
  std::printf("%-10s %-24s %-22s %s\n", "SIZE", "CONTENT TYPE", "UPDATED (UTC)", "PATH");
  for (const auto& blob : blobs)
    std::printf("%-10lld %-24s %-22s %s\n", static_cast<long long>(blob.size), blob.content_type.c_str(),
                engine::iso_utc(blob.updated_at / 1000).c_str(), blob.path.c_str());
  return 0;
}

int get_blob(const CliArgs& args, engine::Store& store, const std::string& tenant) {
  std::string path = path_argument(args, "blob path (weft blob get PATH)");
  auto blob = store.blobs().get_blob(tenant, path);
  if (!blob) {
    std::fprintf(stderr, "weft blob: no blob %s\n", path.c_str());
    return 1;
  }
  if (auto output = args.get("output")) {
    std::ofstream out(*output, std::ios::binary | std::ios::trunc);
    out << blob->data;
    if (!out.flush()) throw std::runtime_error("cannot write " + *output);
  } else {
    std::cout << blob->data << std::flush;
  }
  return 0;
}

int put_blob(const CliArgs& args, engine::Store& store, const std::string& tenant) {
  engine::Blob blob;
  blob.path = path_argument(args, "blob path (weft blob put PATH)");
  std::stringstream data;
  if (auto file = args.get("from-file")) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw UsageError("--from-file: cannot read " + *file);
    data << in.rdbuf();
  } else {
    data << std::cin.rdbuf();
  }
  blob.data = data.str();
  if (static_cast<int64_t>(blob.data.size()) > engine::kMaxBlobBytes)
    throw UsageError(std::to_string(blob.data.size()) + " bytes exceed the blob limit of 25 MiB");
  blob.size = static_cast<int64_t>(blob.data.size());
  blob.content_type = args.get_or("content-type", "application/octet-stream");
  using namespace std::chrono;
  blob.updated_at = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  store.blobs().put_blob(tenant, blob);
  std::cout << "blob " << blob.path << " stored (" << blob.size << " bytes)" << std::endl;
  return 0;
}

int delete_blob(const CliArgs& args, engine::Store& store, const std::string& tenant) {
  std::string path = path_argument(args, "blob path (weft blob delete PATH)");
  if (!store.blobs().delete_blob(tenant, path)) {
    std::fprintf(stderr, "weft blob: no blob %s\n", path.c_str());
    return 1;
  }
  std::cout << "blob " << path << " deleted" << std::endl;
  return 0;
}

}  // namespace

int cmd_blob(const CliArgs& args) {
  std::string action = args.positional(0, "action (list, get, put or delete)");
  std::string tenant = tenant_option(args);
  if (action == "put") {
    auto store = open_or_create_store(args);
    return put_blob(args, *store, tenant);
  }
  if (action != "list" && action != "get" && action != "delete")
    throw UsageError("unknown action '" + action + "' (list, get, put or delete)");
  auto store = open_existing_store(args);
  if (action == "list") return list_blobs(args, *store, tenant);
  if (action == "get") return get_blob(args, *store, tenant);
  return delete_blob(args, *store, tenant);
}

}  // namespace weft::api
