// Storage of weft.secrets ciphertexts. Part of Store (store.hpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft::engine {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Secrets (weft.secrets): ciphertext only; encryption is the caller's.
  virtual void put_secret(const std::string& name, const std::string& ciphertext, int64_t now) = 0;
  virtual std::optional<std::string> get_secret(const std::string& name) = 0;
  virtual std::vector<std::string> secret_names() = 0;
  virtual bool delete_secret(const std::string& name) = 0;
  // Replaces the ciphertext of every named secret in one transaction (key rotation).
  virtual void replace_secrets(const std::vector<std::pair<std::string, std::string>>& sealed,
                               int64_t now) = 0;
};

}  // namespace weft::engine
