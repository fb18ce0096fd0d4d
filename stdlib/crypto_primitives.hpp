// Cryptographic primitives behind weft.crypto, over std::string byte strings:
// HMAC, SHA-256, random bytes, constant-time comparison, hex/base64 codecs
// and RSA PKCS#1 v1.5 SHA-256 signatures (OpenSSL 3).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "engine/hex.hpp"

namespace weft::stdlib::crypto {

// Raw HMAC of `data` under `key`; alg is "sha1", "sha256" or "sha512".
// Throws std::invalid_argument for any other alg.
std::string hmac(std::string_view alg, std::string_view key, std::string_view data);

// Raw SHA-256 digest of `data`.
std::string sha256(std::string_view data);

// `n` bytes from OpenSSL's CSPRNG.
std::string random_bytes(std::size_t n);

// Constant-time comparison of contents (the lengths are not secret).
bool equal(std::string_view a, std::string_view b);

// Lowercase hex; decode accepts either case. Decoding errors throw
// std::invalid_argument.
using engine::hex_encode;
std::string hex_decode(std::string_view text);

// Standard base64 with padding (RFC 4648 section 4). Decode requires
// canonical padded input.
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);

// URL-safe base64 without padding (RFC 4648 section 5), as used by JWT.
std::string base64url_encode(std::string_view bytes);
std::string base64url_decode(std::string_view text);

// RSASSA-PKCS1-v1_5 with SHA-256. A key that cannot be read throws
// std::invalid_argument; verify returns false for a signature that does not match.
std::string rsa_sign_sha256(std::string_view private_pem, std::string_view data);
bool rsa_verify_sha256(std::string_view public_pem, std::string_view data,
                       std::string_view signature);

}  // namespace weft::stdlib::crypto
