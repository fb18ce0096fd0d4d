// The list of native modules, in the order require finds them.
#include "stdlib/native_modules.hpp"

#include "dsl/weft_module.hpp"

namespace weft::stdlib {

const std::vector<NativeModule>& native_modules() {
  static const std::vector<NativeModule> modules = {
      {"weft", dsl::open_weft},
      {"weft.json", open_json},
      {"weft.http", open_http},
      {"weft.store", open_store},
      {"weft.blob", open_blob},
      {"weft.secrets", open_secrets},
      {"weft.ratelimit", open_ratelimit},
      {"weft.crypto", open_crypto},
      {"weft.webhook", open_webhook},
  };
  return modules;
}

}  // namespace weft::stdlib
