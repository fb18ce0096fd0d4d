// Storage of weft.secrets ciphertexts, with each secret's expiry and
// metadata, by tenant namespace. Part of Store (store.hpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine {

// The largest `meta` of a secret, as JSON text (4 KiB).
constexpr size_t kMaxSecretMetaBytes = 4096;

// Whether `name` is a secret name: 1-256 bytes, no control characters.
bool valid_secret_name(std::string_view name);

// What is known of a secret besides its value (secrets.list, weft secrets list).
struct SecretInfo {
  std::string name;
  int64_t expires_at = 0;   // ms since the epoch; 0: does not expire
  int64_t updated_at = 0;   // ms since the epoch
  std::string meta = "{}";  // a JSON object, never a secret value
};

// One secret of one namespace, for key rotation.
struct SealedSecret {
  std::string tenant;
  std::string name;
  std::string ciphertext;
};

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Secrets (weft.secrets) of one tenant's namespace (engine/tenant.hpp;
  // kSharedTenant: the shared one): ciphertext only, encryption is the
  // caller's. put_secret replaces the value, expiry and meta together.
  virtual void put_secret(const std::string& tenant, const SecretInfo& info,
                          const std::string& ciphertext) = 0;
  virtual std::optional<std::string> get_secret(const std::string& tenant, const std::string& name) = 0;
  // The secrets whose name starts with `prefix`, in name order.
  virtual std::vector<SecretInfo> list_secrets(const std::string& tenant, const std::string& prefix = "") = 0;
  virtual bool delete_secret(const std::string& tenant, const std::string& name) = 0;
  // Every secret of every namespace, for key rotation.
  virtual std::vector<SealedSecret> all_secrets() = 0;
  // Replaces the ciphertext of every named secret in one transaction (key
  // rotation); the value is the same, so updated_at and the rest stay.
  virtual void replace_secrets(const std::vector<SealedSecret>& sealed) = 0;
};

}  // namespace weft::engine
