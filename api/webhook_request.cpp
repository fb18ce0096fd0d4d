// Reading webhook deliveries (see webhook_request.hpp).
#include "api/webhook_request.hpp"

#include <algorithm>
#include <cctype>

#include "engine/content_hash.hpp"
#include "engine/json_limits.hpp"
#include "engine/percent_encoding.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

// The media type without parameters: "application/json; charset=utf-8" -> "application/json".
std::string media_type(const ApiRequest& request) {
  auto it = request.headers.find("content-type");
  if (it == request.headers.end()) return "";
  std::string type = ascii_lower(it->second.substr(0, it->second.find(';')));
  type.erase(type.find_last_not_of(" \t") + 1);
  return type;
}

bool is_json_type(const std::string& type) {
  return type == "application/json" || type == "text/json" ||
         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
}

json parse_form(const std::string& body) {
  json form = json::object();
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string_view pair(body.data() + start, end - start);
    if (!pair.empty()) {
      size_t equals = pair.find('=');
      auto name = engine::percent_decode(pair.substr(0, equals), {.plus_is_space = true});
      auto value = engine::percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), {.plus_is_space = true});
      if (!name || !value) throw ApiError(400, "invalid_form", "the form body has a malformed percent escape");
      form[*name] = *value;
    }
    start = end + 1;
  }
  return form;
}

}  // namespace

DeliveryBody parse_delivery_body(const ApiRequest& request) {
  DeliveryBody out;
  std::string type = media_type(request);
  if (is_json_type(type)) {
    try {
      out.json = engine::parse_json(request.body);
    } catch (const engine::JsonTextError& e) {
      if (e.code == engine::JsonTextError::Code::TooDeep)
        throw ApiError(400, "json_too_deep", std::string("the request body is ") + e.what());
      throw ApiError(400, "invalid_json", "the request body is not valid JSON");
    }
  } else if (type == "application/x-www-form-urlencoded") {
    out.form = parse_form(request.body);
  }
  return out;
}

std::string dedup_value(const std::string& dedup, const ApiRequest& request, const DeliveryBody& body) {
  if (dedup == "body") return "sha256:" + engine::sha256_hex(request.body);  // providers that send no delivery id
  if (dedup.rfind("header:", 0) == 0) {
    auto it = request.headers.find(ascii_lower(dedup.substr(7)));
    return it == request.headers.end() ? "" : it->second;
  }
  if (dedup.rfind("json:", 0) != 0 || !body.json) return "";
  const json* at = &*body.json;
  std::string path = dedup.substr(5);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('.', start), path.size());
    std::string field = path.substr(start, end - start);
    if (!at->is_object() || !at->contains(field)) return "";
    at = &at->at(field);
    start = end + 1;
  }
  if (at->is_string()) return at->get<std::string>();
  if (at->is_number() || at->is_boolean()) return at->dump();
  return "";
}

}  // namespace weft::api
