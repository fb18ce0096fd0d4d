// Secrets as every caller stores and reads them (weft.secrets, `weft
// secrets`, webhook verification, SMTP, `weft test`): sealed under the
// master key and bound to their namespace and name, with an expiry and a
// size-limited JSON `meta` that never holds the value.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "engine/secret_store.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::stdlib {

// What a ciphertext is bound to (SecretBox's authenticated data): the name
// in the shared namespace (as before tenants), "\x1f" tenant "\x1f" name in
// a tenant's; secret names hold no control characters, so the two never
// meet and a ciphertext cannot be moved to another namespace or name.
std::string secret_label(const std::string& tenant, const std::string& name);

// Seals `value` and stores it with `info` (name, expiry, meta, updated_at).
void put_secret_value(engine::SecretStore& secrets, const SecretKeys& keys, const std::string& tenant,
                      const engine::SecretInfo& info, const std::string& value);

// The value of the secret, nullopt when there is none; throws
// std::runtime_error naming it (never its value) when it cannot be opened.
std::optional<std::string> open_secret_value(engine::SecretStore& secrets, const SecretKeys& keys,
                                             const std::string& tenant, const std::string& name);

// The stored form of `meta`: a JSON object (null: {}) of at most
// engine::kMaxSecretMetaBytes that does not contain `value`. Throws
// std::invalid_argument saying which rule it breaks.
std::string secret_meta_text(const nlohmann::json& meta, const std::string& value);

// An expiry given as epoch seconds (a number) or RFC 3339 text, in ms since
// the epoch. Throws std::invalid_argument.
int64_t secret_expiry_ms(const nlohmann::json& given);

}  // namespace weft::stdlib
