// The list of the standard library's native modules: a new module is one
// file in stdlib/ plus one line here.
#include "stdlib/native_modules.hpp"

#include "dsl/native_modules.hpp"

namespace weft::stdlib {

void register_native_modules() {
  dsl::register_native_modules({
      {"weft.json", open_json},
      {"weft.http", open_http},
      {"weft.store", open_store},
      {"weft.blob", open_blob},
      {"weft.secrets", open_secrets},
      {"weft.ratelimit", open_ratelimit},
      {"weft.crypto", open_crypto},
      {"weft.webhook", open_webhook},
      {"weft.email", open_email},
  });
}

}  // namespace weft::stdlib
