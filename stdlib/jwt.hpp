// JSON Web Tokens (RFC 7519) in compact form, signed HS256 or RS256, over
// the primitives of stdlib/crypto_primitives.hpp. Verification rejects "none"
// and any algorithm the caller did not allow, then checks exp and nbf.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::stdlib::crypto {

// Signs `claims` (a JSON object) with alg "HS256" (key: the shared secret)
// or "RS256" (key: an RSA private key in PEM). Throws std::invalid_argument
// for another alg, claims that are not an object, or an unreadable key.
std::string jwt_sign(const nlohmann::json& claims, std::string_view key, std::string_view alg);

struct JwtCheck {
  std::vector<std::string> algs;  // the algorithms accepted, e.g. {"HS256"}
  std::int64_t leeway = 60;       // seconds of clock skew allowed on exp and nbf
  std::int64_t now = 0;           // the current time, in seconds since the epoch
};

struct JwtResult {
  bool valid = false;
  nlohmann::json claims;  // when valid
  std::string reason;     // when not valid
};

// Verifies `token` under `key` (the secret for HS256, an RSA public key in
// PEM for RS256). An invalid token gives valid = false and a reason; only an
// unreadable RS256 key throws std::invalid_argument.
JwtResult jwt_verify(std::string_view token, std::string_view key, const JwtCheck& check);

}  // namespace weft::stdlib::crypto
