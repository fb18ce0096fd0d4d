#include "stdlib/run_services.hpp"

#include <memory>

#include "stdlib/http_client.hpp"
#include "stdlib/lua_secrets.hpp"

namespace weft::stdlib {

engine::ExecutorFactory lua_executors(dsl::LuaWorkflowCatalog& catalog, const SecretKeys* secret_keys,
                                      LendServices lend_first) {
  return dsl::run_executors(catalog, [secret_keys, lend_first](boost::asio::io_context& io) {
    dsl::RunServices lent;
    if (lend_first) lend_first(io, lent);
    if (lent.services.find<HttpTransport>() == nullptr) {
      auto http = std::make_shared<HttpClient>(io);
      lent.services.put<HttpTransport>(http.get());
      lent.owned.push_back(http);
    }
    if (secret_keys) lent.services.put(secret_keys);
    lent.declared_secrets = [secret_keys](const dsl::SecretGrants& declared, engine::Store& store) {
      return declared_secrets(declared, store, secret_keys);
    };
    return lent;
  });
}

}  // namespace weft::stdlib
