// weft serve: the engine as an HTTP service. Loads a workflows folder,
// runs the engine with its scheduler and cron schedules, serves the API
// (docs/api.md); SIGHUP reloads the workflows, SIGTERM/SIGINT stop
// gracefully: no new connections, requests in hand answered, runs in
// flight handed back at their next durable point, then exit 0.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/commands.hpp"
#include "api/fd_limit.hpp"
#include "api/http_server.hpp"
#include "api/router.hpp"
#include "api/serve_config.hpp"
#include "api/shutdown_watchdog.hpp"
#include "api/webhook_ingress.hpp"
#include "dsl/lua_workflow_catalog.hpp"
#include "engine/engine.hpp"
#include "engine/log.hpp"
#include "engine/store_open.hpp"
#include "stdlib/run_services.hpp"

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

// Half the cores, at least one: on two cores one io thread keeps up and
// leaves the other core's time to the workers and the single writer
// (docs/performance.md, "Round of 2026-12-02").
int default_http_threads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
}

// The API tokens of WEFT_API_TOKENS and of --tokens-file together (syntax
// in auth_tokens.hpp); none: no auth.
std::vector<ApiToken> api_tokens(const std::string& tokens_file) {
  std::vector<ApiToken> tokens;
  try {
    if (const char* env = std::getenv("WEFT_API_TOKENS")) tokens = parse_token_list(env);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("WEFT_API_TOKENS: ") + e.what());
  }
  if (!tokens_file.empty()) {
    std::ifstream in(tokens_file);
    if (!in) throw UsageError("cannot read the tokens file " + tokens_file);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<ApiToken> from_file;
    try {
      from_file = parse_token_file(text.str());
    } catch (const std::invalid_argument& e) {
      throw UsageError(tokens_file + ": " + e.what());
    }
    if (from_file.empty()) throw UsageError(tokens_file + ": no tokens in the file");
    for (auto& token : from_file) tokens.push_back(std::move(token));
  }
  return tokens;
}

void report_problems(const std::vector<std::string>& problems) {
  for (const auto& problem : problems) log::warn("workflow not loaded", {{"problem", problem}});
}

// SIGINT, SIGTERM and SIGHUP are caught from construction on: one that
// comes before wait() (say, as soon as the banner is out) waits for it
// instead of killing the process.
class StopSignals {
 public:
  StopSignals() : signals_(ioc_, SIGINT, SIGTERM, SIGHUP) {}

  // Blocks until SIGTERM or SIGINT; each SIGHUP meanwhile calls `on_hangup`.
  void wait(const std::function<void()>& on_hangup) {
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int signal) {
          if (ec || signal != SIGHUP) return;
          on_hangup();
          signals_.async_wait(on_signal);
        };
    signals_.async_wait(on_signal);
    ioc_.run();
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::signal_set signals_;
};

// " (N requests in hand; runs executing: ID ...)", or "" when nothing is busy.
std::string still_busy(const HttpServer& server, engine::Engine& engine) {
  std::string busy;
  if (int requests = server.requests_in_hand())
    busy = std::to_string(requests) + " requests in hand";
  auto runs = engine.runs_in_flight();
  if (!runs.empty()) {
    busy += busy.empty() ? "runs executing:" : "; runs executing:";
    for (const auto& id : runs) busy += " " + id;
  }
  return busy.empty() ? busy : " (" + busy + ")";
}

}  // namespace

int cmd_serve(const CliArgs& args) {
  ServeConfig config = load_serve_config(args);
  log::configure(config.log_level, *log::format_from(config.log_format));
  ShutdownWatchdog watchdog;  // first: outlives the engine, whose threads it may wait for
  FdLimit fds = raise_fd_limit();
  log::debug("file descriptor limit", {{"soft", fds.soft}, {"hard", fds.hard}});
  ServerOptions server_options = listen_options(config.listen);
  server_options.read_timeout = config.read_timeout;
  server_options.threads = config.http_threads > 0 ? config.http_threads : default_http_threads();
  auto tokens = api_tokens(config.tokens_file);
  auto store_owner = engine::open_store(config.db);
  engine::Store& store = *store_owner;
  dsl::LuaWorkflowCatalog catalog(store.scripts(), config.workflows);
  report_problems(catalog.add_folder());
  engine::SystemClock clock;
  engine::RateLimiter limiter(&store.limits());  // one limit for every process on the database
  for (const auto& [key, spec] : config.limits) limiter.pin(key, spec);
  engine::EngineOptions options;
  options.workers = config.workers;
  options.crash_limit = config.crash_limit;
  options.run_schedules = true;
  options.limiter = &limiter;
  stdlib::SecretKeys keys(config.key_file);
  options.executors =
      stdlib::lua_executors(catalog, &keys, stdlib::smtp_services(config.email, store.secrets(), keys));
  RunWaiters waiters;
  options.on_finished = [&waiters](const engine::Run& run) { waiters.finished(run); };
  engine::Engine engine(store, catalog, clock, options);

  if (tokens.empty())
    log::warn("no API tokens (WEFT_API_TOKENS, --tokens-file): the API needs no token");
  WebhookIngress webhooks(store, catalog, engine, &keys);
  Router router({store, catalog, engine, &webhooks}, std::move(tokens), &waiters);
  HttpServer server(router, server_options);
  StopSignals stop_signals;  // before the banner: a stop right after it is graceful
  server.start();
  log::info("serving", {{"workflows", catalog.all().size()}, {"folder", config.workflows},
                       {"db", config.db}, {"listen", server_options.host + ":" + std::to_string(server.port())}});
  std::cout << "weft serving on http://" << server_options.host << ":" << server.port() << std::endl;
  stop_signals.wait([&] {
    report_problems(catalog.reload());
    log::info("workflows reloaded", {{"workflows", catalog.all().size()}});
  });

  // The whole stop fits in the grace period: two fifths for the requests
  // in hand, two for the runs in flight, the rest for the threads to end.
  // Past it the watchdog ends the process (exit 3), naming what was stuck.
  log::info("stopping", {{"grace_ms", config.shutdown_grace.count()}});
  watchdog.arm(config.shutdown_grace);
  auto part = config.shutdown_grace * 2 / 5;
  watchdog.waiting_for("the requests in hand");
  if (!server.stop_accepting(part))
    log::warn("requests still in hand at the deadline",
              {{"after_ms", part.count()}, {"requests", server.requests_in_hand()}});
  watchdog.waiting_for("the runs in flight");
  if (!engine.shutdown(part))
    log::warn("runs still busy after the grace period were released",
              {{"runs", engine.runs_in_flight()}});
  watchdog.waiting_for("the HTTP threads to end" + still_busy(server, engine));
  server.stop();
  // Starts submitted by requests still in hand at the deadline answer
  // through the server's objects: let them finish while those exist.
  watchdog.waiting_for("the last commits" + still_busy(server, engine));
  engine.committer().commit_and_wait({});
  watchdog.waiting_for("the workers to end" + still_busy(server, engine));
  log::info("stopped");
  return 0;
}

}  // namespace weft::api
