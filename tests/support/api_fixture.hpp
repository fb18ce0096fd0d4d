// The HTTP API's router without sockets, on an EngineFixture (manual
// clock, no background scheduler), with two workflows loaded: `hello`
// (one step) and `approval` (waits for the event "approval").
#pragma once
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <memory>

#include "api/router.hpp"
#include "tests/support/engine_fixture.hpp"

namespace weft::testing {

inline const char* kHelloWorkflow = R"(local weft = require "weft"
return weft.workflow { name = "hello", run = function(ctx, input)
  return ctx:step("greet", function() return "Hello, " .. (input.name or "world") end)
end })";

inline const char* kApprovalWorkflow = R"(local weft = require "weft"
return weft.workflow { name = "approval", run = function(ctx, input)
  local decision = ctx:wait_event("approval")
  return { approved = decision.approved }
end })";

// The final answer to a request: a deferred one is waited for (bounded).
inline api::HttpResponse answered(api::HttpResponse response) {
  if (!response.deferred) return response;
  auto answer = std::make_shared<std::promise<api::HttpResponse>>();
  auto future = answer->get_future();
  response.deferred([answer](api::HttpResponse r) { answer->set_value(std::move(r)); });
  REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return future.get();
}

struct Api {
  explicit Api(std::vector<api::ApiToken> tokens = {})
      : router({*fx.store, *fx.catalog, *fx.engine}, std::move(tokens)) {
    fx.write_workflow("hello", kHelloWorkflow);
    fx.write_workflow("approval", kApprovalWorkflow);
  }

  api::HttpResponse operator()(std::string method, std::string target, std::string body = "",
                               std::map<std::string, std::string> headers = {}) {
    return answered(
        router.handle({std::move(method), std::move(target), std::move(headers), std::move(body)}));
  }

  EngineFixture fx;
  api::Router router;
};

inline void check_error(const api::HttpResponse& response, int status, const std::string& code) {
  CHECK(response.status == status);
  REQUIRE(response.body.contains("error"));
  CHECK(response.body["error"]["code"] == code);
  CHECK(response.body["error"]["message"].is_string());
  CHECK(response.body["error"].size() == 2);
}

}  // namespace weft::testing
