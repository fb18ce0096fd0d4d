// A webhook delivery read as data: its body parsed by content type (JSON
// or x-www-form-urlencoded), the `req` table handed to `event`, and the
// value of a route's dedup key.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "api/http_target.hpp"
#include "api/http_types.hpp"

namespace weft::api {

struct DeliveryBody {
  std::optional<nlohmann::json> json;  // when the content type is JSON
  std::optional<nlohmann::json> form;  // when it is a form: an object of strings
};

// Throws ApiError 400 when the content type promises JSON or a form and
// the body is not one.
DeliveryBody parse_delivery_body(const ApiRequest& request);

// What a route's `event(req)` is called with: { method, path, headers,
// body, query, remote, json, form }, json and form only when parsed.
// webhook_events.cpp builds the Lua table from these directly.
struct EventRequest {
  const ApiRequest& request;
  const Target& target;
  const DeliveryBody& body;
};

// The value the dedup declaration ("header:NAME", "json:a.b", or "body":
// the body's SHA-256) names in the delivery; "" when it is absent.
std::string dedup_value(const std::string& dedup, const ApiRequest& request, const DeliveryBody& body);

}  // namespace weft::api
