// The services lent to each worker's runs (see run_services.hpp).
#include "stdlib/run_services.hpp"

#include <memory>
#include <optional>
#include <stdexcept>

#include "stdlib/http_client.hpp"
#include "engine/tenant.hpp"
#include "stdlib/lua_secrets.hpp"
#include "stdlib/secret_records.hpp"
#include "stdlib/smtp_client.hpp"

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
    lent.declared_secrets = [secret_keys](const dsl::SecretGrants& declared, const std::string& tenant,
                                          engine::Store& store) {
      return declared_secrets(declared, tenant, store, secret_keys);
    };
    return lent;
  });
}

LendServices smtp_services(EmailSettings settings, engine::SecretStore& secrets, const SecretKeys& keys) {
  return [settings = std::move(settings), &secrets, &keys](boost::asio::io_context& io, dsl::RunServices& lent) {
    if (settings.url.empty()) return;
    auto password = [&secrets, &keys, name = settings.password_secret]() {
      std::optional<std::string> value;
      try {  // a server-level secret: the shared namespace, whatever the run's tenant
        value = open_secret_value(secrets, keys, engine::kSharedTenant, name);
      } catch (const std::exception&) {
        throw std::runtime_error("the SMTP password secret '" + name + "' cannot be opened with this process's key");
      }
      if (!value)
        throw std::runtime_error("the SMTP password secret '" + name + "' is not set (weft secrets set " + name + ")");
      return *value;
    };
    auto smtp = std::make_shared<SmtpClient>(io, settings, password);
    lent.services.put<EmailTransport>(smtp.get());
    lent.owned.push_back(smtp);
  };
}

}  // namespace weft::stdlib
