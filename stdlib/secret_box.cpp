// AES-256-GCM secret sealing (see secret_box.hpp).
#include "stdlib/secret_box.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "stdlib/crypto_primitives.hpp"

namespace weft::stdlib {
namespace {

constexpr char kVersion = 1;
constexpr size_t kKeyIdSize = 4, kNonceSize = 12, kTagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!context) throw std::runtime_error("secrets: cannot allocate a cipher context");
  return context;
}

unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("secrets: cannot read the key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string encoded = text.str();
  while (!encoded.empty() && std::isspace(static_cast<unsigned char>(encoded.back()))) encoded.pop_back();
  std::string key;
  try {
    key = crypto::base64_decode(encoded);
  } catch (const std::exception&) {
    throw std::invalid_argument("secrets: the key file " + path + " is not base64");
  }
  if (key.size() != 32)
    throw std::invalid_argument("secrets: the key file " + path + " must hold 32 bytes (base64)");
  return key;
}

bool write_key_file(const std::string& path, const std::string& key, bool exclusive) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC), 0600);
  if (fd < 0) return false;
  std::string encoded = crypto::base64_encode(key) + "\n";
  ssize_t written = ::write(fd, encoded.data(), encoded.size());
  bool ok = written == static_cast<ssize_t>(encoded.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("secrets: cannot write the key file " + path);
  return true;
}

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != 32) throw std::invalid_argument("secrets: the master key must be 32 bytes");
  key_id_ = crypto::sha256(key_).substr(0, kKeyIdSize);
}

std::string SecretBox::generate_key() { return crypto::random_bytes(32); }

SecretBox SecretBox::from_environment(const std::string& key_file) {
  if (const char* env = std::getenv("WEFT_MASTER_KEY"); env != nullptr && *env != '\0') {
    std::string key;
    try {
      key = crypto::base64_decode(env);
    } catch (const std::exception&) {
      throw std::invalid_argument("secrets: WEFT_MASTER_KEY is not base64");
    }
    if (key.size() != 32)
      throw std::invalid_argument("secrets: WEFT_MASTER_KEY must be the base64 of 32 bytes");
    return SecretBox(key);
  }
  write_key_file(key_file, generate_key(), true);  // first use; an existing file is kept
  return SecretBox(read_key_file(key_file));
}

void SecretKeys::load() const {
  std::call_once(once_, [this] {
    box_ = std::make_unique<SecretBox>(SecretBox::from_environment(key_file_));
    if (::access((key_file_ + ".next").c_str(), R_OK) == 0)
      next_ = std::make_unique<SecretBox>(read_key_file(key_file_ + ".next"));
  });
}

const SecretBox& SecretKeys::box() const {
  load();
  return *box_;
}

std::string SecretKeys::open(const std::string& name, const std::string& sealed) const {
  load();
  if (next_ && next_->sealed_by(sealed)) return next_->open(name, sealed);
  return box_->open(name, sealed);
}

bool SecretBox::sealed_by(const std::string& sealed) const {
  return sealed.size() > kKeyIdSize && sealed.compare(1, kKeyIdSize, key_id_) == 0;
}

std::string SecretBox::seal(const std::string& name, const std::string& plaintext) const {
  std::string nonce = crypto::random_bytes(kNonceSize);
  std::string out(1, kVersion);
  out += key_id_ + nonce;
  std::string ciphertext(plaintext.size(), '\0');
  std::string tag(kTagSize, '\0');
  auto context = new_context();
  int length = 0;
  bool ok = EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(nonce)) == 1 &&
            EVP_EncryptUpdate(context.get(), nullptr, &length, bytes(name), static_cast<int>(name.size())) == 1 &&
            EVP_EncryptUpdate(context.get(), bytes(ciphertext), &length, bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(context.get(), bytes(ciphertext) + length, &length) == 1 &&
            EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag.data()) == 1;
  if (!ok) throw std::runtime_error("secrets: cannot encrypt '" + name + "'");
  return out + ciphertext + tag;
}

std::string SecretBox::open(const std::string& name, const std::string& sealed) const {
  const size_t header = 1 + kKeyIdSize + kNonceSize;
  if (sealed.size() < header + kTagSize || sealed[0] != kVersion)
    throw std::runtime_error("secrets: '" + name + "' is damaged");
  if (sealed.compare(1, kKeyIdSize, key_id_) != 0)
    throw std::runtime_error("secrets: '" + name + "' was sealed under another master key");
  std::string nonce = sealed.substr(1 + kKeyIdSize, kNonceSize);
  std::string ciphertext = sealed.substr(header, sealed.size() - header - kTagSize);
  std::string tag = sealed.substr(sealed.size() - kTagSize);
  std::string plaintext(ciphertext.size(), '\0');
  auto context = new_context();
  int length = 0;
  bool ok = EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(nonce)) == 1 &&
            EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(name), static_cast<int>(name.size())) == 1 &&
            EVP_DecryptUpdate(context.get(), bytes(plaintext), &length, bytes(ciphertext),
                              static_cast<int>(ciphertext.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + length, &length) == 1;
  if (!ok) throw std::runtime_error("secrets: '" + name + "' cannot be decrypted with this master key");
  return plaintext;
}

}  // namespace weft::stdlib
