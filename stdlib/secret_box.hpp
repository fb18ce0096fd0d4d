// Encryption of secrets at rest: AES-256-GCM under a master key, each
// secret bound to its name (the name is authenticated data, so a
// ciphertext cannot be moved to another name). The key comes from
// WEFT_MASTER_KEY (base64 of 32 bytes) or from a key file created with
// mode 0600 on first use.
#pragma once
#include <memory>
#include <mutex>
#include <string>

namespace weft::stdlib {

class SecretBox {
 public:
  explicit SecretBox(std::string key);  // 32 raw bytes

  // WEFT_MASTER_KEY if set, else `key_file` (created when missing).
  static SecretBox from_environment(const std::string& key_file);
  static std::string generate_key();  // 32 random bytes

  // version byte | key id (4) | nonce (12) | ciphertext | tag (16)
  std::string seal(const std::string& name, const std::string& plaintext) const;
  // Throws std::runtime_error naming the secret (never its value) when the
  // ciphertext is damaged or was sealed under another key.
  std::string open(const std::string& name, const std::string& sealed) const;

  const std::string& key() const { return key_; }
  // Whether `sealed` was sealed under this key.
  bool sealed_by(const std::string& sealed) const;

 private:
  std::string key_;
  std::string key_id_;  // first 4 bytes of SHA-256(key)
};

// The master key of a process, loaded (or created) on first use only, so
// that runs which never touch secrets never create a key file. During a
// key rotation the new key waits in "<key file>.next"; secrets sealed
// under it open too, so a rotation interrupted by a crash loses nothing.
class SecretKeys {
 public:
  explicit SecretKeys(std::string key_file) : key_file_(std::move(key_file)) {}

  const SecretBox& box() const;  // seals new values
  std::string open(const std::string& name, const std::string& sealed) const;
  const std::string& key_file() const { return key_file_; }

 private:
  void load() const;

  std::string key_file_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<SecretBox> box_;
  mutable std::unique_ptr<SecretBox> next_;
};

// Reads a base64 key file (32 bytes); throws std::invalid_argument.
std::string read_key_file(const std::string& path);
// Writes a base64 key file with mode 0600, durably; `exclusive`: fail if it exists.
bool write_key_file(const std::string& path, const std::string& key, bool exclusive);

}  // namespace weft::stdlib
