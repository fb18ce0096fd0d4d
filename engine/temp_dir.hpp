// A fresh folder under the system's temporary directory, removed with
// everything in it when the object goes (weft test's databases, tests).
#pragma once
#include <filesystem>
#include <string>

namespace weft::engine {

class TempDir {
 public:
  // Throws std::runtime_error when the folder cannot be made.
  explicit TempDir(const std::string& prefix = "weft-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace weft::engine
