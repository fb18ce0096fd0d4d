// UUIDs and random numbers (see ids.hpp).
#include "dsl/ids.hpp"

#include <openssl/rand.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace weft::dsl {

namespace {

std::string format_uuid(const unsigned char* b) {
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return text;
}

}  // namespace

std::string new_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness available");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return format_uuid(b);
}

std::string new_time_ordered_uuid(int64_t unix_ms) {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness available");
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(unix_ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
  return format_uuid(b);
}

double random_unit() {
  uint64_t bits = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&bits), sizeof bits) != 1)
    throw std::runtime_error("no randomness available");
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace weft::dsl
