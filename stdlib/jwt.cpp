// HS256/RS256 JSON Web Tokens: compact serialization, signature check and
// the exp/nbf time checks. Every way a token can be wrong becomes a reason
// string, never an exception, so callers can reject it cleanly.
#include "stdlib/jwt.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/json_limits.hpp"
#include "stdlib/crypto_primitives.hpp"

namespace weft::stdlib::crypto {
namespace {

using nlohmann::json;

std::string signature_for(std::string_view alg, std::string_view key, std::string_view input) {
  if (alg == "HS256") return hmac("sha256", key, input);
  if (alg == "RS256") return rsa_sign_sha256(key, input);
  throw std::invalid_argument("unsupported JWT algorithm '" + std::string(alg) +
                              "' (expected HS256 or RS256)");
}

bool signature_matches(std::string_view alg, std::string_view key, std::string_view input,
                       std::string_view signature) {
  if (alg == "HS256") return equal(hmac("sha256", key, input), signature);
  return rsa_verify_sha256(key, input, signature);
}

// The JSON object encoded as base64url in `part`, or a discarded value.
json decode_object(std::string_view part) {
  try {
    json value = engine::parse_json(base64url_decode(part));
    return value.is_object() ? value : json(json::value_t::discarded);
  } catch (const std::invalid_argument&) {
    return json(json::value_t::discarded);
  } catch (const engine::JsonTextError&) {
    return json(json::value_t::discarded);
  }
}

JwtResult invalid(std::string reason) { return {false, json(), std::move(reason)}; }

// The reason the claims' exp or nbf rule out `check.now`, or "" if none does.
std::string time_problem(const json& claims, const JwtCheck& check) {
  for (const char* name : {"exp", "nbf"}) {
    if (claims.contains(name) && !claims[name].is_number())
      return std::string("malformed ") + name + " claim";
  }
  if (claims.contains("exp") && check.now > claims["exp"].get<double>() + check.leeway)
    return "token expired";
  if (claims.contains("nbf") && check.now + check.leeway < claims["nbf"].get<double>())
    return "token not yet valid";
  return "";
}

}  // namespace

std::string jwt_sign(const json& claims, std::string_view key, std::string_view alg) {
  if (!claims.is_object()) throw std::invalid_argument("JWT claims must be an object");
  json header = {{"alg", alg}, {"typ", "JWT"}};
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  std::string signature = signature_for(alg, key, input);
  return input + "." + base64url_encode(signature);
}

JwtResult jwt_verify(std::string_view token, std::string_view key, const JwtCheck& check) {
  auto first = token.find('.');
  auto second = first == token.npos ? token.npos : token.find('.', first + 1);
  if (second == token.npos || token.find('.', second + 1) != token.npos)
    return invalid("malformed token");
  json header = decode_object(token.substr(0, first));
  if (header.is_discarded() || !header.contains("alg") || !header["alg"].is_string())
    return invalid("malformed header");
  std::string alg = header["alg"];
  // "none" and any algorithm other than HS256/RS256 are never accepted.
  bool supported = alg == "HS256" || alg == "RS256";
  if (!supported || std::find(check.algs.begin(), check.algs.end(), alg) == check.algs.end())
    return invalid("algorithm '" + alg + "' not allowed");
  std::string signature;
  try {
    signature = base64url_decode(token.substr(second + 1));
  } catch (const std::invalid_argument&) {
    return invalid("malformed signature");
  }
  if (!signature_matches(alg, key, token.substr(0, second), signature))
    return invalid("invalid signature");
  json claims = decode_object(token.substr(first + 1, second - first - 1));
  if (claims.is_discarded()) return invalid("malformed payload");
  if (std::string problem = time_problem(claims, check); !problem.empty()) return invalid(problem);
  return {true, std::move(claims), ""};
}

}  // namespace weft::stdlib::crypto
