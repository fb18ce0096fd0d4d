// weft.http: HTTP requests from workflow steps, non-blocking. A request
// yields the run's coroutine; the worker's loop serves other runs until
// the response arrives (dsl/async_call.hpp, stdlib/http_client.cpp).
// Errors are weft.error tables with a kind (timeout, connect, tls,
// too_large, http) and retryable set for retry policies.
#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <map>
#include <string>

#include "dsl/async_call.hpp"
#include "dsl/ctx.hpp"
#include "dsl/lua_error.hpp"
#include "dsl/lua_duration.hpp"
#include "dsl/lua_guard.hpp"
#include "dsl/lua_json.hpp"
#include "engine/duration.hpp"
#include "engine/json_limits.hpp"
#include "engine/trace.hpp"
#include "stdlib/http_client.hpp"
#include "stdlib/http_metrics.hpp"
#include "dsl/redact.hpp"
#include "stdlib/native_modules.hpp"

namespace weft::stdlib {
namespace {

using dsl::ArgError;

std::string field_string(lua_State* L, int table, const char* key, const std::string& fallback) {
  lua_getfield(L, table, key);
  std::string value = lua_isnil(L, -1) ? fallback : (lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
  bool bad = !lua_isnil(L, -1) && !lua_isstring(L, -1);
  lua_pop(L, 1);
  if (bad) throw ArgError(1, std::string("field '") + key + "' must be a string");
  return value;
}

int64_t field_ms(lua_State* L, int table, const char* key, int64_t fallback) {
  lua_getfield(L, table, key);
  std::optional<int64_t> value = lua_isnil(L, -1) ? fallback : dsl::to_duration_ms(L, -1);
  lua_pop(L, 1);
  if (!value) throw ArgError(1, std::string("field '") + key + "' must be a duration like \"10s\"");
  return *value;
}

std::string url_encode(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

// key=value&… from a Lua table of strings/numbers/booleans (sorted keys,
// so the same table always gives the same text).
std::string encode_pairs(lua_State* L, int table, const char* what) {
  std::map<std::string, std::string> pairs;
  lua_pushnil(L);
  while (lua_next(L, table)) {
    if (lua_type(L, -2) != LUA_TSTRING || !(lua_isstring(L, -1) || lua_isboolean(L, -1))) {
      lua_pop(L, 2);
      throw ArgError(1, std::string("field '") + what + "' must map strings to strings or numbers");
    }
    pairs[lua_tostring(L, -2)] = lua_isboolean(L, -1) ? (lua_toboolean(L, -1) ? "true" : "false")
                                                      : lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  std::string out;
  for (const auto& [key, value] : pairs) out += (out.empty() ? "" : "&") + url_encode(key) + "=" + url_encode(value);
  return out;
}

bool has_header(const HttpRequest& request, const std::string& lower_name) {
  for (const auto& [name, value] : request.headers) {
    std::string n = name;
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == lower_name) return true;
  }
  return false;
}

struct Options {
  HttpRequest request;
  bool raise = false;
};

Options read_options(lua_State* L, int table) {
  Options o;
  HttpRequest& r = o.request;
  r.method = field_string(L, table, "method", "GET");
  for (auto& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  r.url = field_string(L, table, "url", "");
  if (r.url.empty()) throw ArgError(1, "field 'url' (string) expected");
  if (lua_getfield(L, table, "query") == LUA_TTABLE) {
    std::string query = encode_pairs(L, lua_gettop(L), "query");
    if (!query.empty()) r.url += (r.url.find('?') == std::string::npos ? "?" : "&") + query;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, table, "headers") == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1)) {
        lua_pop(L, 3);
        throw ArgError(1, "field 'headers' must map header names to strings");
      }
      r.headers.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (lua_getfield(L, table, "json") != LUA_TNIL) {
    r.body = dsl::lua_to_json(L, -1, "json").dump();
    r.has_body = true;
    if (!has_header(r, "content-type")) r.headers.emplace_back("Content-Type", "application/json");
  } else if (lua_pop(L, 1), lua_getfield(L, table, "form") == LUA_TTABLE) {
    r.body = encode_pairs(L, lua_gettop(L), "form");
    r.has_body = true;
    if (!has_header(r, "content-type"))
      r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  } else if (lua_pop(L, 1), lua_getfield(L, table, "body") != LUA_TNIL) {
    if (!lua_isstring(L, -1)) throw ArgError(1, "field 'body' must be a string");
    size_t len = 0;
    const char* body = lua_tolstring(L, -1, &len);
    r.body.assign(body, len);
    r.has_body = true;
  }
  lua_pop(L, 1);
  r.timeout_ms = field_ms(L, table, "timeout", r.timeout_ms);
  r.connect_timeout_ms = field_ms(L, table, "connect_timeout", r.connect_timeout_ms);
  if (lua_getfield(L, table, "max_body") != LUA_TNIL) {
    try {
      r.max_body_bytes = lua_type(L, -1) == LUA_TNUMBER
                             ? static_cast<int64_t>(lua_tonumber(L, -1))
                             : engine::parse_size_bytes(lua_isstring(L, -1) ? lua_tostring(L, -1) : "?");
    } catch (const std::invalid_argument&) {
      throw ArgError(1, "field 'max_body' must be a size like \"10MB\"");
    }
  }
  lua_pop(L, 1);
  lua_getfield(L, table, "follow_redirects");
  r.follow_redirects = lua_toboolean(L, -1);
  lua_getfield(L, table, "raise");
  o.raise = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return o;
}

int response_json(lua_State* L) {
  return dsl::guarded(L, [](lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "body");
    size_t len = 0;
    const char* body = lua_tolstring(L, -1, &len);
    nlohmann::json value;
    try {
      value = engine::parse_json({body ? body : "", body ? len : 0});
    } catch (const engine::JsonTextError& e) {
      throw dsl::KindError("json", e.code == engine::JsonTextError::Code::TooDeep
                                       ? std::string("the response body is ") + e.what()
                                       : "the response body is not JSON",
                           false);
    }
    dsl::push_json(L, value);
    return 1;
  });
}

void push_response(lua_State* L, const HttpResponse& response) {
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, response.status);
  lua_setfield(L, -2, "status");
  lua_createtable(L, 0, static_cast<int>(response.headers.size()));
  for (const auto& [name, value] : response.headers) {  // repeated headers joined, as RFC 9110 allows
    lua_getfield(L, -1, name.c_str());
    std::string joined = lua_isnil(L, -1) ? value : std::string(lua_tostring(L, -1)) + ", " + value;
    lua_pop(L, 1);
    lua_pushlstring(L, joined.data(), joined.size());
    lua_setfield(L, -2, name.c_str());
  }
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, response.body.data(), response.body.size());
  lua_setfield(L, -2, "body");
  lua_pushcfunction(L, response_json);
  lua_setfield(L, -2, "json");
}

std::string header_value(const HttpResponse& response, const char* lower_name) {
  for (const auto& [name, value] : response.headers)
    if (name == lower_name) return value;
  return "";
}

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// Pushes a weft.error for a failed request; `status` 0 when no response.
void push_failure(lua_State* L, const std::string& kind, const std::string& message, bool retryable,
                  const HttpResponse* response) {
  dsl::push_error_object(L, kind, message, retryable);
  if (response == nullptr) return;
  lua_pushinteger(L, response->status);
  lua_setfield(L, -2, "status");
  double retry_after = retry_after_seconds(header_value(*response, "retry-after"), unix_now());
  if (retry_after >= 0) {
    lua_pushnumber(L, retry_after);
    lua_setfield(L, -2, "retry_after");
  }
  std::string excerpt = response->body.substr(0, 2048);
  lua_pushlstring(L, excerpt.data(), excerpt.size());
  lua_setfield(L, -2, "body");
}

int request_body(lua_State* L, int table) {
  dsl::require_step(L, "http.request");
  dsl::RunLink* link = dsl::governing_link(L);
  if (link == nullptr || link->run == nullptr || link->run->service<HttpTransport>() == nullptr || dsl::run_link(L) == nullptr)
    throw std::runtime_error("http.request can only run inside a workflow step");
  Options options = read_options(L, table);
  dsl::RunContext& rc = *link->run;
  // The label goes to traces and error messages: secrets (a webhook URL,
  // a token in the query) are masked in it.
  std::string label = rc.redactor.clean(options.request.method + " " + options.request.url);
  std::string host = url_host(options.request.url);
  std::string run_id = rc.run.id, step = dsl::run_link(L)->step_name;
  auto started = std::chrono::steady_clock::now();
  bool raise = options.raise;
  return dsl::start_async(L, rc, [&](dsl::AsyncComplete complete) {
    rc.service<HttpTransport>()->start(options.request, [complete, label, host, raise, run_id, step, started](HttpOutcome outcome) {
      std::string result = outcome.ok ? std::to_string(outcome.response.status) : outcome.error.kind;
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
      record_http_request(host, result, static_cast<double>(micros) / 1e6);
      if (engine::trace_enabled())
        engine::trace("http run=" + run_id + " step=" + step + " " + label + " status=" + result +
                      " ms=" + std::to_string(micros / 1000));
      complete([outcome = std::move(outcome), label, raise](lua_State* L) -> int {
        if (!outcome.ok) {
          push_failure(L, outcome.error.kind, label + ": " + outcome.error.message, outcome.error.retryable, nullptr);
          return dsl::kRaise;
        }
        long status = outcome.response.status;
        if (raise && status >= 400) {
          push_failure(L, "http", label + " answered " + std::to_string(status), retryable_status(status),
                       &outcome.response);
          return dsl::kRaise;
        }
        push_response(L, outcome.response);
        return 1;
      });
    });
  });
}

int http_request(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  return dsl::finish_call(L, dsl::guarded(L, [](lua_State* L) { return request_body(L, 1); }),
                          dsl::async_continuation);
}

// http.get(url [, opts]) and friends: request{ method = M, url = url, ...opts }.
int shorthand(lua_State* L, const char* method) {
  luaL_checkstring(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_createtable(L, 0, 8);  // at index 3
  if (lua_istable(L, 2)) {
    lua_pushnil(L);
    while (lua_next(L, 2)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, 3);
    }
  }
  lua_pushstring(L, method);
  lua_setfield(L, 3, "method");
  lua_pushvalue(L, 1);
  lua_setfield(L, 3, "url");
  return dsl::finish_call(L, dsl::guarded(L, [](lua_State* L) { return request_body(L, 3); }),
                          dsl::async_continuation);
}

int http_get(lua_State* L) { return shorthand(L, "GET"); }
int http_post(lua_State* L) { return shorthand(L, "POST"); }
int http_put(lua_State* L) { return shorthand(L, "PUT"); }
int http_patch(lua_State* L) { return shorthand(L, "PATCH"); }
int http_delete(lua_State* L) { return shorthand(L, "DELETE"); }

}  // namespace

int open_http(lua_State* L) {
  const luaL_Reg functions[] = {{"request", http_request}, {"get", http_get},     {"post", http_post},
                                {"put", http_put},         {"patch", http_patch}, {"delete", http_delete},
                                {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
