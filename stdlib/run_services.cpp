// The services lent to each worker's runs (see run_services.hpp).
#include "stdlib/run_services.hpp"

#include <memory>
#include <stdexcept>

#include "stdlib/http_client.hpp"
#include "stdlib/lua_secrets.hpp"
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
    lent.declared_secrets = [secret_keys](const dsl::SecretGrants& declared, engine::Store& store) {
      return declared_secrets(declared, store, secret_keys);
    };
    return lent;
  });
}

LendServices smtp_services(EmailSettings settings, engine::SecretStore& secrets, const SecretKeys& keys) {
  return [settings = std::move(settings), &secrets, &keys](boost::asio::io_context& io, dsl::RunServices& lent) {
    if (settings.url.empty()) return;
    auto password = [&secrets, &keys, name = settings.password_secret]() {
      auto sealed = secrets.get_secret(name);
      if (!sealed)
        throw std::runtime_error("the SMTP password secret '" + name + "' is not set (weft secrets set " + name + ")");
      try {
        return keys.open(name, *sealed);
      } catch (const std::exception&) {
        throw std::runtime_error("the SMTP password secret '" + name + "' cannot be opened with this process's key");
      }
    };
    auto smtp = std::make_shared<SmtpClient>(io, settings, password);
    lent.services.put<EmailTransport>(smtp.get());
    lent.owned.push_back(smtp);
  };
}

}  // namespace weft::stdlib
