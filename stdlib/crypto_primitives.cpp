// OpenSSL 3 implementation of the weft.crypto primitives. OpenSSL objects are
// held in std::unique_ptr with their free functions; the error queue is
// cleared whenever a failure is turned into an exception or a false result.
#include "stdlib/crypto_primitives.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <memory>
#include <stdexcept>


namespace weft::stdlib::crypto {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

[[noreturn]] void fail(const std::string& message) {
  ERR_clear_error();
  throw std::invalid_argument(message);
}

const EVP_MD* digest_named(std::string_view alg) {
  if (alg == "sha1") return EVP_sha1();
  if (alg == "sha256") return EVP_sha256();
  if (alg == "sha512") return EVP_sha512();
  fail("unsupported HMAC algorithm '" + std::string(alg) + "' (expected sha1, sha256 or sha512)");
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Reads a PEM key with `read` (PEM_read_bio_PrivateKey or PEM_read_bio_PUBKEY)
// and checks that it is an RSA key.
template <class Reader>
PkeyPtr read_rsa_key(std::string_view pem, Reader read, const char* what) {
  if (pem.size() > INT_MAX) fail(std::string(what) + " is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("cannot allocate a memory BIO");
  PkeyPtr key(read(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail(std::string("cannot read the ") + what + " (expected PEM)");
  if (!EVP_PKEY_is_a(key.get(), "RSA")) fail(std::string("the ") + what + " is not an RSA key");
  return key;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode64(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::size_t n = std::min<std::size_t>(3, in.size() - i);
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (n > 1) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (n > 2) v |= static_cast<unsigned char>(in[i + 2]);
    for (std::size_t k = 0; k < 4; ++k) {
      if (k <= n) out += alphabet[(v >> (18 - 6 * k)) & 0x3f];
      else if (pad) out += '=';
    }
  }
  return out;
}

std::array<int, 256> reverse_table(const char* alphabet) {
  std::array<int, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = i;
  return table;
}

// Decodes unpadded text (padding already removed by the caller).
std::string decode64(std::string_view text, const char* alphabet, const char* name) {
  if (text.size() % 4 == 1) fail(std::string("invalid ") + name + " length");
  const auto table = reverse_table(alphabet);
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = table[static_cast<unsigned char>(c)];
    if (v < 0) fail(std::string("invalid ") + name + " character '" + c + "'");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) fail(std::string("non-canonical ") + name + " ending");
  return out;
}

int hex_value(char c) {
  int value = engine::hex_digit_value(c);
  if (value < 0) fail(std::string("invalid hex character '") + c + "'");
  return value;
}

}  // namespace

std::string hmac(std::string_view alg, std::string_view key, std::string_view data) {
  const EVP_MD* md = digest_named(alg);
  if (key.size() > INT_MAX) fail("HMAC key is too large");
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned len = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
            reinterpret_cast<unsigned char*>(out.data()), &len))
    fail("HMAC computation failed");
  out.resize(len);
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned len = 0;
  if (!EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                  EVP_sha256(), nullptr))
    fail("SHA-256 computation failed");
  out.resize(len);
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > INT_MAX ||
      RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    fail("cannot generate " + std::to_string(n) + " random bytes");
  return out;
}

bool equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) fail("hex text has an odd length");
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2)
    out += static_cast<char>(hex_value(text[i]) << 4 | hex_value(text[i + 1]));
  return out;
}

std::string base64_encode(std::string_view in) { return encode64(in, kBase64, true); }

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) fail("invalid base64 length (padding required)");
  std::size_t end = text.size();
  for (int i = 0; i < 2 && end > 0 && text[end - 1] == '='; ++i) --end;
  return decode64(text.substr(0, end), kBase64, "base64");
}

std::string base64url_encode(std::string_view in) { return encode64(in, kBase64Url, false); }

std::string base64url_decode(std::string_view text) {
  return decode64(text, kBase64Url, "base64url");
}

std::string rsa_sign_sha256(std::string_view private_pem, std::string_view data) {
  PkeyPtr key = read_rsa_key(private_pem, PEM_read_bio_PrivateKey, "private key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes(data), data.size()) != 1)
    fail("cannot sign with the private key");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(data),
                     data.size()) != 1)
    fail("cannot sign with the private key");
  sig.resize(len);
  return sig;
}

bool rsa_verify_sha256(std::string_view public_pem, std::string_view data,
                       std::string_view signature) {
  PkeyPtr key = read_rsa_key(public_pem, PEM_read_bio_PUBKEY, "public key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
    fail("cannot verify with the public key");
  bool ok = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(data),
                             data.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace weft::stdlib::crypto
