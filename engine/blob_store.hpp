// Storage of weft.blob objects. Part of Store (store.hpp), and able to
// live in another backend than runs: nothing else refers to it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
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
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Blobs (weft.blob). list_blobs leaves `data` empty.
  virtual void put_blob(const Blob& blob) = 0;
  virtual std::optional<Blob> get_blob(const std::string& path) = 0;
  virtual std::vector<Blob> list_blobs(const std::string& prefix, int64_t limit) = 0;
  virtual bool delete_blob(const std::string& path) = 0;
};

}  // namespace weft::engine
