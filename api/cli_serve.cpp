// weft serve: the engine as an HTTP service. Loads a workflows folder,
// runs the engine with its background scheduler, serves the API (see
// docs/api.md) until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/cli_args.hpp"
#include "api/commands.hpp"
#include "api/http_server.hpp"
#include "api/router.hpp"
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

// The API tokens of WEFT_API_TOKENS and of --tokens-file together (syntax
// in auth_tokens.hpp); none: no auth.
std::vector<ApiToken> api_tokens(const CliArgs& args) {
  std::vector<ApiToken> tokens;
  try {
    if (const char* env = std::getenv("WEFT_API_TOKENS")) tokens = parse_token_list(env);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("WEFT_API_TOKENS: ") + e.what());
  }
  if (auto path = args.get("tokens-file")) {
    std::ifstream in(*path);
    if (!in) throw UsageError("cannot read --tokens-file " + *path);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<ApiToken> from_file;
    try {
      from_file = parse_token_file(text.str());
    } catch (const std::invalid_argument& e) {
      throw UsageError(*path + ": " + e.what());
    }
    if (from_file.empty()) throw UsageError(*path + ": no tokens in the file");
    for (auto& token : from_file) tokens.push_back(std::move(token));
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
  args.allow_only({"workflows", "db", "listen", "workers", "key-file", "tokens-file"});
  ServerOptions server_options = listen_options(args.get_or("listen", "127.0.0.1:8080"));
  auto tokens = api_tokens(args);
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

  if (tokens.empty())
    std::fprintf(stderr, "weft serve: warning: no API tokens (WEFT_API_TOKENS, --tokens-file);"
                         " the API needs no token\n");
  Router router({store, catalog, engine}, std::move(tokens));
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
