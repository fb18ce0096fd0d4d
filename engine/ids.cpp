// UUIDs and random numbers (see ids.hpp).
#include "engine/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "engine/hex.hpp"

namespace weft::engine {

namespace {

// Random bytes from OpenSSL's generator, fetched 4 KiB at a time per
// thread: each RAND_bytes call takes the generator's locks and reseed
// checks, which made up most of a run start's id (a webhook delivery
// starts one). The bytes are as strong; a thread never shares its buffer.
void random_bytes(unsigned char* out, size_t count) {
  thread_local std::array<unsigned char, 4096> buffer;
  thread_local size_t used = buffer.size();
  if (count > buffer.size()) throw std::logic_error("random_bytes: too many bytes at once");
  if (buffer.size() - used < count) {
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
      throw std::runtime_error("no randomness available");
    used = 0;
  }
  std::memcpy(out, buffer.data() + used, count);
  std::memset(buffer.data() + used, 0, count);  // handed out once, never kept
  used += count;
}

std::string format_uuid(const unsigned char* b) {
  std::string text = hex_encode({reinterpret_cast<const char*>(b), 16});
  for (size_t at : {8, 13, 18, 23}) text.insert(at, 1, '-');  // 8-4-4-4-12
  return text;
}

}  // namespace

std::string new_uuid() {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return format_uuid(b);
}

std::string new_time_ordered_uuid(int64_t unix_ms) {
  unsigned char b[16];
  random_bytes(b + 6, sizeof b - 6);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(unix_ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
  return format_uuid(b);
}

double random_unit() {
  uint64_t bits = 0;
  random_bytes(reinterpret_cast<unsigned char*>(&bits), sizeof bits);
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace weft::engine
