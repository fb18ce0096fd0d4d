// Request handling as a pure function: a table of {method, path pattern,
// handler}, bearer-token auth on /v1 (each token scoped to a tenant or to
// all), and a dispatcher that turns every
// failure into a JSON error response (404, 405, 401, 400, 500, ...).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "api/auth_tokens.hpp"
#include "api/routes.hpp"
#include "api/run_waiters.hpp"

namespace weft::api {

class Router {
 public:
  // `tokens` empty: no auth. `waiters` (optional) tells waits for a run's
  // end as soon as it ends here; without it they poll.
  Router(ApiContext context, std::vector<ApiToken> tokens, RunWaiters* waiters = nullptr);
  RunWaiters* waiters() const { return waiters_; }

  struct RouteSignature {
    std::string method;
    std::string pattern;
  };
  std::vector<RouteSignature> route_table() const;

  HttpResponse handle(const ApiRequest& request);
  // For a response carrying `await`: the final answer once the run has
  // ended (or, when `timed_out`, as it is now); nullopt while it goes on.
  std::optional<HttpResponse> awaited_run(const std::string& run_id, bool timed_out);

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;
  };
  HttpResponse dispatch(const ApiRequest& request);
  // The tenant of the request's token ("" for an unscoped token or no
  // auth); nullopt when the request is not authorized.
  std::optional<std::string> authorize(const ApiRequest& request) const;

  ApiContext context_;
  std::vector<ApiToken> tokens_;
  std::vector<Entry> entries_;
  RunWaiters* waiters_;
};

}  // namespace weft::api
