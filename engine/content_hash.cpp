#include "engine/content_hash.hpp"

#include <openssl/evp.h>

#include "engine/hex.hpp"

namespace weft::engine {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return hex_encode({reinterpret_cast<const char*>(digest), length});
}

}  // namespace weft::engine
