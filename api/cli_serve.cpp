// weft serve: the engine as an HTTP service. Loads a workflows folder,
// runs the engine with its background scheduler, serves the API (see
// docs/api.md) until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/cli_args.hpp"
#include "api/commands.hpp"
#include "api/http_server.hpp"
#include "api/router.hpp"
#include "api/webhook_ingress.hpp"
#include "engine/engine.hpp"
#include "engine/store_open.hpp"

namespace weft::api {
namespace {

// "HOST:PORT" (PORT 0: any free port).
ServerOptions listen_options(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    throw UsageError("--listen must be HOST:PORT, got '" + listen + "'");
  std::string port = listen.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    throw UsageError("--listen has a bad port: '" + port + "'");
  ServerOptions options;
  options.host = listen.substr(0, colon);
  options.port = static_cast<unsigned short>(std::stoi(port));
  return options;
}

// WEFT_API_TOKENS: comma-separated bearer tokens; empty ones are ignored.
std::vector<std::string> api_tokens() {
  std::vector<std::string> tokens;
  const char* env = std::getenv("WEFT_API_TOKENS");
  std::string text = env ? env : "";
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) tokens.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return tokens;
}

void wait_for_stop_signal() {
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  signals_ioc.run();
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  CliArgs args(argc, argv, 2, {});
  args.allow_only({"workflows", "db", "listen", "workers", "key-file"});
  ServerOptions server_options = listen_options(args.get_or("listen", "127.0.0.1:8080"));
  auto store_owner = engine::open_store(args.get_or("db", kDefaultDb));
  engine::Store& store = *store_owner;
  engine::WorkflowCatalog catalog(store, args.get_or("workflows", "./workflows"));
  for (const auto& problem : catalog.add_folder())
    std::fprintf(stderr, "weft: warning: %s\n", problem.c_str());
  engine::SystemClock clock;
  engine::EngineOptions options;
  if (auto workers = args.get("workers")) options.workers = std::stoi(*workers);
  options.run_schedules = true;
  stdlib::SecretKeys keys(key_file_for(args));
  options.secret_keys = &keys;
  engine::Engine engine(store, catalog, clock, options);

  auto tokens = api_tokens();
  if (tokens.empty())
    std::fprintf(stderr, "weft serve: warning: WEFT_API_TOKENS is not set; the API needs no token\n");
  WebhookIngress webhooks(store, catalog, engine, &keys);
  Router router({store, catalog, engine, &webhooks}, std::move(tokens));
  HttpServer server(router, server_options);
  server.start();
  std::cout << "weft serving on http://" << server_options.host << ":" << server.port()
            << std::endl;
  wait_for_stop_signal();
  server.stop();
  std::fprintf(stderr, "weft serve: stopping\n");
  return 0;
}

}  // namespace weft::api
