// weft.crypto: HMAC, SHA-256, random bytes, constant-time comparison, codecs,
// RSA-SHA256 signatures and JWTs for Lua, over stdlib/crypto_primitives.hpp and
// stdlib/jwt.hpp. Only what reads the clock or the CSPRNG is restricted to steps.
#include <ctime>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/thread_link.hpp"
#include "stdlib/crypto_primitives.hpp"
#include "stdlib/jwt.hpp"
#include "stdlib/native_modules.hpp"

namespace weft::stdlib {
namespace {

namespace c = crypto;

enum class Encoding { Hex, Base64, Raw };

constexpr std::size_t kMaxRandomBytes = 1 << 20;

// The string argument at `arg` (numbers are converted, as Lua does).
std::string_view arg_bytes(lua_State* L, int arg) {
  if (!lua_isstring(L, arg))
    throw dsl::ArgError(arg, std::string("string expected, got ") + luaL_typename(L, arg));
  size_t len = 0;
  const char* s = lua_tolstring(L, arg, &len);
  return {s, len};
}

Encoding arg_encoding(lua_State* L, int arg, Encoding fallback) {
  if (lua_isnoneornil(L, arg)) return fallback;
  std::string_view name = arg_bytes(L, arg);
  if (name == "hex") return Encoding::Hex;
  if (name == "base64") return Encoding::Base64;
  if (name == "raw") return Encoding::Raw;
  throw dsl::ArgError(arg, "encoding must be \"hex\", \"base64\" or \"raw\"");
}

// Runs a primitive, reporting its std::invalid_argument as a crypto error.
template <class F>
auto crypto_call(F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw dsl::KindError("crypto", e.what(), false);
  }
}

std::string encode(const std::string& raw, Encoding encoding) {
  if (encoding == Encoding::Hex) return c::hex_encode(raw);
  if (encoding == Encoding::Base64) return c::base64_encode(raw);
  return raw;
}

std::string decode(std::string_view text, Encoding encoding) {
  if (encoding == Encoding::Hex) return crypto_call([&] { return c::hex_decode(text); });
  if (encoding == Encoding::Base64) return crypto_call([&] { return c::base64_decode(text); });
  return std::string(text);
}

int push_bytes(lua_State* L, const std::string& s) {
  lua_pushlstring(L, s.data(), s.size());
  return 1;
}

int crypto_hmac(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string_view alg = arg_bytes(L, 1);
    if (alg != "sha1" && alg != "sha256" && alg != "sha512")
      throw dsl::ArgError(1, "algorithm must be \"sha1\", \"sha256\" or \"sha512\"");
    std::string mac = c::hmac(alg, arg_bytes(L, 2), arg_bytes(L, 3));
    return push_bytes(L, encode(mac, arg_encoding(L, 4, Encoding::Hex)));
  });
}

int crypto_sha256(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string digest = c::sha256(arg_bytes(L, 1));
    return push_bytes(L, encode(digest, arg_encoding(L, 2, Encoding::Hex)));
  });
}

int crypto_random_bytes(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    dsl::require_step(L, "crypto.random_bytes");
    if (!lua_isinteger(L, 1) || lua_tointeger(L, 1) < 0 ||
        static_cast<std::size_t>(lua_tointeger(L, 1)) > kMaxRandomBytes)
      throw dsl::ArgError(1, "integer between 0 and " + std::to_string(kMaxRandomBytes) + " expected");
    std::string raw = c::random_bytes(static_cast<std::size_t>(lua_tointeger(L, 1)));
    return push_bytes(L, encode(raw, arg_encoding(L, 2, Encoding::Hex)));
  });
}

int crypto_equal(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    lua_pushboolean(L, c::equal(arg_bytes(L, 1), arg_bytes(L, 2)));
    return 1;
  });
}

int crypto_rsa_sign(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string_view pem = arg_bytes(L, 1);
    std::string_view data = arg_bytes(L, 2);
    Encoding encoding = arg_encoding(L, 3, Encoding::Base64);
    std::string sig = crypto_call([&] { return c::rsa_sign_sha256(pem, data); });
    return push_bytes(L, encode(sig, encoding));
  });
}

int crypto_rsa_verify(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string_view pem = arg_bytes(L, 1);
    std::string_view data = arg_bytes(L, 2);
    std::string sig = decode(arg_bytes(L, 3), arg_encoding(L, 4, Encoding::Base64));
    lua_pushboolean(L, crypto_call([&] { return c::rsa_verify_sha256(pem, data, sig); }));
    return 1;
  });
}

// A one-argument codec function: fn(string) -> string.
template <std::string (*Codec)(std::string_view)>
int codec(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string_view in = arg_bytes(L, 1);
    return push_bytes(L, crypto_call([&] { return Codec(in); }));
  });
}


// Pushes options[name] without metamethods (nil when options is absent);
// returns its type.
int option(lua_State* L, int options, const char* name) {
  if (!lua_istable(L, options)) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  lua_pushstring(L, name);
  return lua_rawget(L, options);
}

std::string jwt_alg_option(lua_State* L, int arg) {
  if (!lua_isnoneornil(L, arg) && !lua_istable(L, arg))
    throw dsl::ArgError(arg, "options table expected");
  if (option(L, arg, "alg") == LUA_TNIL) return "HS256";
  std::string alg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
  if (alg != "HS256" && alg != "RS256") throw dsl::ArgError(arg, "alg must be \"HS256\" or \"RS256\"");
  return alg;
}

int crypto_jwt_sign(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    if (!lua_istable(L, 1)) throw dsl::ArgError(1, "claims table expected");
    dsl::json claims = dsl::lua_to_json(L, 1, "claims");
    if (!claims.is_object()) throw dsl::ArgError(1, "claims must be a table with string keys");
    std::string_view key = arg_bytes(L, 2);
    std::string alg = jwt_alg_option(L, 3);
    return push_bytes(L, crypto_call([&] { return c::jwt_sign(claims, key, alg); }));
  });
}

std::vector<std::string> jwt_algs_option(lua_State* L, int arg) {
  if (option(L, arg, "algs") != LUA_TTABLE || lua_rawlen(L, -1) == 0)
    throw dsl::ArgError(arg, "algs (a list such as { \"HS256\" }) is required");
  std::vector<std::string> algs;
  for (lua_Integer i = 1; i <= static_cast<lua_Integer>(lua_rawlen(L, -1)); ++i) {
    if (lua_rawgeti(L, -1, i) != LUA_TSTRING) throw dsl::ArgError(arg, "algs must hold strings");
    algs.emplace_back(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return algs;
}

std::int64_t jwt_number_option(lua_State* L, int arg, const char* name, std::int64_t fallback) {
  int type = option(L, arg, name);
  lua_Number value = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (type == LUA_TNIL) return fallback;
  if (type != LUA_TNUMBER || value < 0) throw dsl::ArgError(arg, std::string(name) + " must be a number >= 0");
  return static_cast<std::int64_t>(value);
}

// opts.now, or the wall clock, which inside a run may only be read in a step.
std::int64_t jwt_now_option(lua_State* L, int arg) {
  int type = option(L, arg, "now");
  lua_pop(L, 1);
  if (type != LUA_TNIL) return jwt_number_option(L, arg, "now", 0);
  dsl::require_step(L, "crypto.jwt_verify without opts.now");
  return static_cast<std::int64_t>(std::time(nullptr));
}

int crypto_jwt_verify(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    std::string_view token = arg_bytes(L, 1);
    std::string_view key = arg_bytes(L, 2);
    if (!lua_istable(L, 3)) throw dsl::ArgError(3, "options table expected");
    c::JwtCheck check{jwt_algs_option(L, 3), jwt_number_option(L, 3, "leeway", 60), jwt_now_option(L, 3)};
    c::JwtResult result = crypto_call([&] { return c::jwt_verify(token, key, check); });
    if (result.valid) {
      dsl::push_json(L, result.claims);
      return 1;
    }
    lua_pushnil(L);
    lua_pushlstring(L, result.reason.data(), result.reason.size());
    return 2;
  });
}

}  // namespace

int open_crypto(lua_State* L) {
  const luaL_Reg functions[] = {
      {"hmac", crypto_hmac},
      {"sha256", crypto_sha256},
      {"random_bytes", crypto_random_bytes},
      {"equal", crypto_equal},
      {"rsa_sign", crypto_rsa_sign},
      {"rsa_verify", crypto_rsa_verify},
      {"hex_encode", codec<c::hex_encode>},
      {"hex_decode", codec<c::hex_decode>},
      {"base64_encode", codec<c::base64_encode>},
      {"base64_decode", codec<c::base64_decode>},
      {"base64url_encode", codec<c::base64url_encode>},
      {"base64url_decode", codec<c::base64url_decode>},
      {"jwt_sign", crypto_jwt_sign},
      {"jwt_verify", crypto_jwt_verify},
      {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
