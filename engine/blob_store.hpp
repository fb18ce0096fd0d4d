// Storage of weft.blob objects. Part of Store (store.hpp), and able to
// live in another backend than runs: nothing else refers to it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine {

// weft.blob objects, by path.
struct Blob {
  std::string path;
  std::string content_type;
  std::string data;
  int64_t size = 0;
  int64_t updated_at = 0;
};
// The largest object, in bytes (25 MiB).
constexpr int64_t kMaxBlobBytes = 25 << 20;

// Whether `path` is a blob path: relative and normalised (no leading '/',
// no "..", no "//"), printable characters without '\\', at most 1024
// bytes; empty only when `allow_empty` (a listing's prefix).
bool valid_blob_path(std::string_view path, bool allow_empty = false);

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Blobs (weft.blob) of one tenant's namespace (engine/tenant.hpp;
  // kSharedTenant: the shared one): another tenant's are out of reach.
  // list_blobs gives the paths after `after` (a page's last) that start
  // with `prefix`, in path order, leaving `data` empty.
  virtual void put_blob(const std::string& tenant, const Blob& blob) = 0;
  virtual std::optional<Blob> get_blob(const std::string& tenant, const std::string& path) = 0;
  virtual std::vector<Blob> list_blobs(const std::string& tenant, const std::string& prefix,
                                       int64_t limit, const std::string& after = "") = 0;
  virtual bool delete_blob(const std::string& tenant, const std::string& path) = 0;
};

}  // namespace weft::engine
