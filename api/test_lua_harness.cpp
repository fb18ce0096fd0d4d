// The harness object `t` of a test and the handles it gives: runs, HTTP
// mocks and step mocks, and the email outbox (docs/testing.md). Each method that lets the
// engine run returns once nothing is due at the virtual time, and raises
// if a request found no mock meanwhile.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>

#include "api/test_lua.hpp"
#include "dsl/lua_duration.hpp"
#include "dsl/lua_json.hpp"
#include "engine/divergence.hpp"
#include "engine/json_limits.hpp"
#include "engine/tenant.hpp"
#include "stdlib/secret_records.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

constexpr const char* kHarnessType = "weft.test.harness";
constexpr const char* kRunType = "weft.test.run";
constexpr const char* kHttpMockType = "weft.test.http_mock";
constexpr const char* kStepMockType = "weft.test.step_mock";

struct MockHandle {
  HarnessBinding* binding;
  size_t index;
};

TestHarness& harness_of(HarnessBinding* binding) {
  if (binding->harness == nullptr) throw std::runtime_error("this test has ended: its t, runs and mocks cannot be used");
  return *binding->harness;
}

HarnessBinding* binding_at(lua_State* L, int index, const char* type) {
  return *static_cast<HarnessBinding**>(luaL_checkudata(L, index, type));
}

TestHarness& harness_arg(lua_State* L) { return harness_of(binding_at(L, 1, kHarnessType)); }

// A run handle's id (its user value).
std::string run_id_of(lua_State* L, int index) {
  luaL_checkudata(L, index, kRunType);
  lua_getiuservalue(L, index, 1);
  std::string id = lua_tostring(L, -1);
  lua_pop(L, 1);
  return id;
}

void after_engine_ran(TestHarness& harness) {
  std::string unmatched = unmatched_requests(harness);
  if (!unmatched.empty()) throw std::runtime_error(unmatched);
}

void push_run(lua_State* L, HarnessBinding* binding, const std::string& id) {
  *static_cast<HarnessBinding**>(lua_newuserdatauv(L, sizeof(HarnessBinding*), 1)) = binding;
  lua_pushlstring(L, id.data(), id.size());
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, kRunType);
}

void push_mock(lua_State* L, HarnessBinding* binding, size_t index, const char* type) {
  *static_cast<MockHandle*>(lua_newuserdatauv(L, sizeof(MockHandle), 0)) = {binding, index};
  luaL_setmetatable(L, type);
}

std::optional<std::string> string_field(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  std::optional<std::string> out;
  if (lua_type(L, -1) == LUA_TSTRING) out = lua_tostring(L, -1);
  bool bad = !lua_isnil(L, -1) && !out;
  lua_pop(L, 1);
  if (bad) throw std::runtime_error(std::string("field '") + key + "' must be a string");
  return out;
}

// Refuses fields a spec does not know (a typo would otherwise be ignored).
void check_fields(lua_State* L, int table, const std::set<std::string>& known, const char* what) {
  lua_pushnil(L);
  while (lua_next(L, table)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING || !known.count(lua_tostring(L, -1))) {
      std::string key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
      lua_pop(L, 1);
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      throw std::runtime_error(std::string(what) + ": unknown field '" + key + "' (known: " + list + ")");
    }
  }
}

int64_t times_field(lua_State* L, int table) {
  lua_getfield(L, table, "times");
  int64_t times = -1;
  if (!lua_isnil(L, -1)) {
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
      lua_pop(L, 1);
      throw std::runtime_error("field 'times' must be a whole number of at least 1");
    }
    times = lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return times;
}

void push_call(lua_State* L, const HttpCall& call) {
  const stdlib::HttpRequest& request = call.request;
  json out = {{"method", request.method}, {"url", request.url}, {"body", request.body}};
  json headers = json::object();
  for (const auto& [name, value] : request.headers) headers[ascii_lower(name)] = value;
  out["headers"] = headers;
  if (request.has_body) {
    try {
      out["json"] = engine::parse_json(request.body);
    } catch (const std::exception&) {  // not JSON: the body alone says it
    }
  }
  dsl::push_json(L, out);
}

void push_calls(lua_State* L, const std::vector<HttpCall>& calls) {
  lua_createtable(L, static_cast<int>(calls.size()), 0);
  for (size_t i = 0; i < calls.size(); ++i) {
    push_call(L, calls[i]);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

json input_arg(lua_State* L, int index) {
  return lua_isnoneornil(L, index) ? json::object() : dsl::lua_to_json(L, index, "input");
}

// ---- t ----

int64_t duration_arg(lua_State* L, int index) {
  std::optional<int64_t> ms = dsl::to_duration_ms(L, index);
  if (!ms || *ms < 0) throw dsl::ArgError(index, "a duration like \"10m\" or a number of seconds expected");
  return *ms;
}

int t_start(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    TestHarness& harness = harness_of(binding);
    engine::StartOptions options;
    if (lua_istable(L, 4)) {
      check_fields(L, 4, {"id", "idempotency_key", "tenant", "delay", "priority"}, "t:start options");
      options.id = string_field(L, 4, "id").value_or("");
      options.idempotency_key = string_field(L, 4, "idempotency_key").value_or("");
      options.tenant = string_field(L, 4, "tenant").value_or("");
      if (lua_getfield(L, 4, "delay") != LUA_TNIL) {
        std::optional<int64_t> delay = dsl::to_duration_ms(L, -1);
        if (!delay || *delay < 0) throw dsl::ArgError(4, "delay must be a duration like \"5m\"");
        options.delay_ms = *delay;
      }
      if (lua_getfield(L, 4, "priority") != LUA_TNIL) {
        if (!lua_isinteger(L, -1)) throw dsl::ArgError(4, "priority must be an integer");
        options.priority = lua_tointeger(L, -1);
      }
      lua_pop(L, 2);
    }
    engine::Run run = harness.start(lua_tostring(L, 2), input_arg(L, 3), options);
    after_engine_ran(harness);
    push_run(L, binding, run.id);
    return 1;
  });
}

int t_run(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    engine::Run run = harness_of(binding).run(lua_tostring(L, 2));
    push_run(L, binding, run.id);
    return 1;
  });
}

int t_runs(lua_State* L) {
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    engine::RunFilter filter;
    filter.limit = 100'000;
    if (lua_istable(L, 2)) {
      check_fields(L, 2, {"workflow", "status"}, "t:runs filter");
      filter.workflow = string_field(L, 2, "workflow").value_or("");
      if (auto status = string_field(L, 2, "status")) {
        filter.status = engine::run_status_from(*status);
        if (!filter.status) throw std::runtime_error("no run status '" + *status + "'");
      }
    }
    auto runs = harness_of(binding).store().runs().list_runs(filter);
    lua_createtable(L, static_cast<int>(runs.size()), 0);
    for (size_t i = 0; i < runs.size(); ++i) {
      push_run(L, binding, runs[i].id);
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
  });
}


int t_advance(lua_State* L) {
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_arg(L);
    harness.advance(duration_arg(L, 2));
    after_engine_ran(harness);
    return 0;
  });
}

int t_now(lua_State* L) {
  return located(L, [](lua_State* L) {
    lua_pushinteger(L, harness_arg(L).now());
    return 1;
  });
}

int t_enable_schedules(lua_State* L) {
  return located(L, [](lua_State* L) {
    harness_arg(L).enable_schedules();
    return 0;
  });
}

int t_mock_http(lua_State* L) {
  luaL_checktype(L, 2, LUA_TTABLE);
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    TestHarness& harness = harness_of(binding);
    check_fields(L, 2, {"method", "url", "status", "headers", "json", "body", "error", "times"}, "t:mock_http");
    HttpMock mock;
    mock.method = string_field(L, 2, "method").value_or("");
    for (auto& c : mock.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto url = string_field(L, 2, "url");
    if (!url) throw std::runtime_error("t:mock_http: field 'url' (a URL, '*' for any text) expected");
    mock.url_pattern = *url;
    mock.times = times_field(L, 2);
    if (auto error = string_field(L, 2, "error")) {
      bool retryable = *error == "timeout" || *error == "connect";
      mock.answer.error = {*error, "mocked " + *error + " failure", retryable};
    } else {
      stdlib::HttpResponse& response = mock.answer.response;
      mock.answer.ok = true;
      lua_getfield(L, 2, "status");
      response.status = lua_isnil(L, -1) ? 200 : static_cast<long>(lua_tointeger(L, -1));
      bool bad_status = !lua_isnil(L, -1) && (!lua_isinteger(L, -1) || response.status < 100 || response.status > 599);
      lua_pop(L, 1);
      if (bad_status) throw std::runtime_error("t:mock_http: field 'status' must be an HTTP status (100-599)");
      if (lua_getfield(L, 2, "headers") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1)) {
            lua_pop(L, 3);
            throw std::runtime_error("t:mock_http: field 'headers' must map names to strings");
          }
          response.headers.emplace_back(ascii_lower(lua_tostring(L, -2)), lua_tostring(L, -1));
          lua_pop(L, 1);
        }
      }
      lua_pop(L, 1);
      if (lua_getfield(L, 2, "json") != LUA_TNIL) {
        response.body = dsl::lua_to_json(L, -1, "json").dump();
        if (std::none_of(response.headers.begin(), response.headers.end(),
                         [](const auto& header) { return header.first == "content-type"; }))
          response.headers.emplace_back("content-type", "application/json");
      }
      lua_pop(L, 1);
      if (auto body = string_field(L, 2, "body")) response.body = *body;
    }
    size_t index = harness.http().add(std::move(mock));
    push_mock(L, binding, index, kHttpMockType);
    return 1;
  });
}

int t_http_calls(lua_State* L) {
  return located(L, [](lua_State* L) {
    push_calls(L, harness_arg(L).http().calls());
    return 1;
  });
}

int t_mock_step(lua_State* L) {
  luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    TestHarness& harness = harness_of(binding);
    check_fields(L, 3, {"result", "error", "times"}, "t:mock_step");
    dsl::StepOutcome outcome;
    lua_getfield(L, 3, "error");
    if (lua_type(L, -1) == LUA_TSTRING) {
      outcome.error = {{"kind", "error"}, {"message", lua_tostring(L, -1)}, {"retryable", true}};
    } else if (lua_istable(L, -1)) {
      outcome.error = dsl::lua_to_json(L, -1, "error");
      if (!outcome.error.contains("message")) outcome.error["message"] = "mocked failure";
      if (!outcome.error.contains("kind")) outcome.error["kind"] = "error";
    } else if (!lua_isnil(L, -1)) {
      throw std::runtime_error("t:mock_step: field 'error' must be a message or a table {kind, message, retryable}");
    }
    lua_pop(L, 1);
    lua_getfield(L, 3, "result");
    if (!lua_isnil(L, -1)) outcome.result = dsl::lua_to_json(L, -1, "result");
    lua_pop(L, 1);
    size_t index = harness.steps().add(lua_tostring(L, 2), std::move(outcome), times_field(L, 3));
    push_mock(L, binding, index, kStepMockType);
    return 1;
  });
}

// t:mock_email { error = { kind, message, retryable, reply_code }, times = N }:
// the next N sends (default: all) fail with that error.
int t_mock_email(lua_State* L) {
  luaL_checktype(L, 2, LUA_TTABLE);
  return located(L, [](lua_State* L) {
    check_fields(L, 2, {"error", "times"}, "t:mock_email");
    if (lua_getfield(L, 2, "error") != LUA_TTABLE)
      throw std::runtime_error("t:mock_email: field 'error' must be a table {kind, message, retryable, reply_code}");
    json error = dsl::lua_to_json(L, -1, "error");
    lua_pop(L, 1);
    if (!error.contains("kind") || !error["kind"].is_string())
      throw std::runtime_error("t:mock_email: the error needs a kind (e.g. \"smtp_transient\")");
    stdlib::EmailOutcome failure;
    failure.kind = error["kind"].get<std::string>();
    failure.message = error.value("message", "mocked failure");
    failure.retryable = error.value("retryable", false);
    failure.reply_code = error.value("reply_code", 0L);
    int64_t times = times_field(L, 2);
    harness_arg(L).email().fail_next(std::move(failure), times < 0 ? INT64_MAX : times);
    return 0;
  });
}

// t:emails(): the messages runs sent so far, as the workflow gave them
// plus what weft.email made of them (message_id, recipients, data).
int t_emails(lua_State* L) {
  return located(L, [](lua_State* L) {
    json out = json::array();
    for (const auto& email : harness_arg(L).email().sent()) {
      const stdlib::Mail& mail = email.mail;
      json headers = json::object();
      for (const auto& [name, value] : mail.headers) headers[name] = value;
      json one = {{"from", mail.from},          {"to", mail.to},
                  {"cc", mail.cc},              {"bcc", mail.bcc},
                  {"reply_to", mail.reply_to},  {"headers", headers},
                  {"message_id", email.message.message_id},
                  {"recipients", email.message.recipients},
                  {"data", email.message.data}};
      if (mail.subject) one["subject"] = *mail.subject;
      if (mail.text) one["text"] = *mail.text;
      if (mail.html) one["html"] = *mail.html;
      out.push_back(std::move(one));
    }
    dsl::push_json(L, out);
    return 1;
  });
}

// t:secret(name, value [, { tenant = ..., expires_at = ..., meta = {...} }])
int t_secret(lua_State* L) {
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
  return located(L, [](lua_State* L) {
    size_t len = 0;
    const char* data = lua_tolstring(L, 3, &len);
    std::string value(data, len);
    engine::SecretInfo info;
    info.name = lua_tostring(L, 2);
    std::string tenant;
    if (lua_istable(L, 4)) {
      check_fields(L, 4, {"tenant", "expires_at", "meta"}, "t:secret options");
      tenant = string_field(L, 4, "tenant").value_or("");
      if (!tenant.empty() && !engine::valid_tenant_name(tenant))
        throw std::runtime_error("t:secret: '" + tenant + "' is not a tenant name");
      lua_getfield(L, 4, "expires_at");
      if (!lua_isnil(L, -1)) info.expires_at = stdlib::secret_expiry_ms(dsl::lua_to_json(L, -1, "expires_at"));
      lua_pop(L, 1);
      lua_getfield(L, 4, "meta");
      json meta = lua_isnil(L, -1) ? json() : dsl::lua_to_json(L, -1, "meta");
      lua_pop(L, 1);
      if (meta.is_array() && meta.empty()) meta = json::object();
      info.meta = stdlib::secret_meta_text(meta, value);
    }
    harness_arg(L).set_secret(tenant, info, value);
    return 0;
  });
}

int t_put_document(lua_State* L) {
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_arg(L);
    auto put = harness.store().documents().put_document(lua_tostring(L, 2), lua_tostring(L, 3),
                                            dsl::lua_to_json(L, 4, "document"), -1, harness.now());
    lua_pushinteger(L, put.version);
    return 1;
  });
}

int t_document(lua_State* L) {
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  return located(L, [](lua_State* L) {
    auto document = harness_arg(L).store().documents().get_document(lua_tostring(L, 2), lua_tostring(L, 3));
    if (!document) {
      lua_pushnil(L);
      return 1;
    }
    dsl::push_json(L, document->doc);
    lua_pushinteger(L, document->version);
    return 2;
  });
}

int t_documents(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    engine::DocumentQuery query;
    query.limit = 10'000;
    json by_id = json::object();
    for (const auto& document : harness_arg(L).store().documents().find_documents(lua_tostring(L, 2), query))
      by_id[document.id] = document.doc;
    dsl::push_json(L, by_id);
    return 1;
  });
}

int t_put_blob(lua_State* L) {
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_arg(L);
    engine::Blob blob;
    blob.path = lua_tostring(L, 2);
    size_t len = 0;
    const char* data = lua_tolstring(L, 3, &len);
    blob.data.assign(data, len);
    blob.size = static_cast<int64_t>(len);
    blob.content_type = lua_isstring(L, 4) ? lua_tostring(L, 4) : "application/octet-stream";
    blob.updated_at = harness.now();
    harness.store().blobs().put_blob(engine::kSharedTenant, blob);
    return 0;
  });
}

int t_blob(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    auto blob = harness_arg(L).store().blobs().get_blob(engine::kSharedTenant, lua_tostring(L, 2));
    if (!blob) {
      lua_pushnil(L);
      return 1;
    }
    lua_pushlstring(L, blob->data.data(), blob->data.size());
    lua_pushstring(L, blob->content_type.c_str());
    return 2;
  });
}

int t_blobs(lua_State* L) {
  return located(L, [](lua_State* L) {
    std::string prefix = lua_isstring(L, 2) ? lua_tostring(L, 2) : "";
    auto blobs = harness_arg(L).store().blobs().list_blobs(engine::kSharedTenant, prefix, 100'000);
    lua_createtable(L, static_cast<int>(blobs.size()), 0);
    for (size_t i = 0; i < blobs.size(); ++i) {
      lua_pushstring(L, blobs[i].path.c_str());
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
  });
}

int t_import(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    std::filesystem::path path = lua_tostring(L, 2);
    if (path.is_relative()) path = std::filesystem::path(binding->folder) / path;
    engine::Run run = harness_of(binding).import(path.string());
    push_run(L, binding, run.id);
    return 1;
  });
}

// t:webhook(path, {body = TEXT | json = VALUE, headers = {...}}): the
// answer {status, body}, and the run it started (or found) if any.
int t_webhook(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kHarnessType);
    TestHarness& harness = harness_of(binding);
    std::map<std::string, std::string> headers;
    std::string body;
    if (lua_istable(L, 3)) {
      check_fields(L, 3, {"body", "json", "headers"}, "t:webhook");
      if (lua_getfield(L, 3, "json") != LUA_TNIL) {
        body = dsl::lua_to_json(L, -1, "json").dump();
        headers["content-type"] = "application/json";
      }
      lua_pop(L, 1);
      if (auto text = string_field(L, 3, "body")) body = *text;
      if (lua_getfield(L, 3, "headers") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1)) {
            lua_pop(L, 3);
            throw std::runtime_error("t:webhook: field 'headers' must map names to strings");
          }
          headers[ascii_lower(lua_tostring(L, -2))] = lua_tostring(L, -1);
          lua_pop(L, 1);
        }
      }
      lua_pop(L, 1);
    }
    TestHarness::WebhookAnswer answer = harness.deliver_webhook(lua_tostring(L, 2), headers, body);
    after_engine_ran(harness);
    dsl::push_json(L, {{"status", answer.status}, {"body", answer.body}});
    if (answer.body.is_object() && answer.body.contains("run_id") && answer.body["run_id"].is_string()) {
      push_run(L, binding, answer.body["run_id"].get<std::string>());
      return 2;
    }
    return 1;
  });
}

// ---- run handles ----

engine::Run run_arg(lua_State* L) {
  return harness_of(binding_at(L, 1, kRunType)).run(run_id_of(L, 1));
}

int run_status(lua_State* L) {
  return located(L, [](lua_State* L) {
    lua_pushstring(L, std::string(engine::to_string(run_arg(L).status)).c_str());
    return 1;
  });
}

// A run's result or error: nil while it has none.
int push_field_or_nil(lua_State* L, nlohmann::json engine::Run::*field) {
  return located(L, [field](lua_State* L) {
    engine::Run run = run_arg(L);
    if ((run.*field).is_null()) lua_pushnil(L);
    else dsl::push_json(L, run.*field);
    return 1;
  });
}

int run_result(lua_State* L) { return push_field_or_nil(L, &engine::Run::result); }
int run_error(lua_State* L) { return push_field_or_nil(L, &engine::Run::error); }

int run_record(lua_State* L) {
  return located(L, [](lua_State* L) {
    dsl::push_json(L, engine::to_json(run_arg(L)));
    return 1;
  });
}

int run_history(lua_State* L) {
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_of(binding_at(L, 1, kRunType));
    json events = json::array();
    for (const auto& event : harness.store().runs().history(run_id_of(L, 1))) events.push_back(engine::to_json(event));
    dsl::push_json(L, events);
    return 1;
  });
}

int run_wait(lua_State* L) {
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_of(binding_at(L, 1, kRunType));
    engine::Run run = harness.wait(run_id_of(L, 1));
    after_engine_ran(harness);
    lua_pushstring(L, std::string(engine::to_string(run.status)).c_str());
    return 1;
  });
}

int run_send(lua_State* L) {
  luaL_checkstring(L, 2);
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_of(binding_at(L, 1, kRunType));
    json payload = lua_isnoneornil(L, 3) ? json() : dsl::lua_to_json(L, 3, "payload");
    auto outcome = harness.send(run_id_of(L, 1), lua_tostring(L, 2), payload);
    if (outcome == engine::DeliverOutcome::AlreadyFinished)
      throw std::runtime_error("run " + run_id_of(L, 1) + " has ended: the event was not delivered");
    after_engine_ran(harness);
    return 0;
  });
}

int run_cancel(lua_State* L) {
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_of(binding_at(L, 1, kRunType));
    harness.cancel(run_id_of(L, 1));
    after_engine_ran(harness);
    return 0;
  });
}

int run_retry(lua_State* L) {
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_of(binding_at(L, 1, kRunType));
    VersionRetry retry = harness.retry(run_id_of(L, 1));
    if (retry.refused)
      throw std::runtime_error("retry refused: the run's history diverges on the workflow's file now: " +
                               engine::describe(*retry.check.divergence));
    if (retry.outcome != engine::RetryOutcome::Retried)
      throw std::runtime_error("run " + run_id_of(L, 1) + " cannot be retried: it has not failed (or is a child run)");
    after_engine_ran(harness);
    return 0;
  });
}

int run_replay(lua_State* L) {
  return located(L, [](lua_State* L) {
    TestHarness& harness = harness_of(binding_at(L, 1, kRunType));
    dsl::push_json(L, dsl::to_json(harness.replay(run_id_of(L, 1))));
    return 1;
  });
}

int run_fork(lua_State* L) {
  if (!lua_isinteger(L, 2) && lua_type(L, 2) != LUA_TSTRING)
    return luaL_argerror(L, 2, "a position (a seq, or a branch path like \"4/2/1\") expected");
  return located(L, [](lua_State* L) {
    HarnessBinding* binding = binding_at(L, 1, kRunType);
    TestHarness& harness = harness_of(binding);
    ForkRequest request;
    lua_pushvalue(L, 2);
    request.position = lua_tostring(L, -1);  // a number becomes its text
    lua_pop(L, 1);
    if (lua_istable(L, 3)) {
      check_fields(L, 3, {"input", "force"}, "run:fork options");
      if (lua_getfield(L, 3, "input") != LUA_TNIL) request.input = dsl::lua_to_json(L, -1, "input");
      lua_pop(L, 1);
      lua_getfield(L, 3, "force");
      request.force = lua_toboolean(L, -1);
      lua_pop(L, 1);
    }
    ForkResult fork = harness.fork(run_id_of(L, 1), request);
    if (fork.refused)
      throw std::runtime_error("fork refused: the copied history diverges on the workflow's file now: " +
                               engine::describe(*fork.check.divergence));
    after_engine_ran(harness);
    push_run(L, binding, fork.fork_id);
    return 1;
  });
}

// run.id, or a method.
int run_index(lua_State* L) {
  const char* key = luaL_checkstring(L, 2);
  if (std::string(key) == "id") {
    luaL_checkudata(L, 1, kRunType);
    lua_getiuservalue(L, 1, 1);
    return 1;
  }
  lua_getfield(L, lua_upvalueindex(1), key);
  return 1;
}

int run_tostring(lua_State* L) {
  luaL_checkudata(L, 1, kRunType);
  lua_getiuservalue(L, 1, 1);
  lua_pushfstring(L, "run %s", lua_tostring(L, -1));
  return 1;
}

// ---- mocks ----

MockHandle& mock_arg(lua_State* L, const char* type) { return *static_cast<MockHandle*>(luaL_checkudata(L, 1, type)); }

int http_mock_calls(lua_State* L) {
  MockHandle& mock = mock_arg(L, kHttpMockType);
  return located(L, [&mock](lua_State* L) {
    push_calls(L, harness_of(mock.binding).http().calls_of(mock.index));
    return 1;
  });
}

int http_mock_count(lua_State* L) {
  MockHandle& mock = mock_arg(L, kHttpMockType);
  return located(L, [&mock](lua_State* L) {
    lua_pushinteger(L, static_cast<lua_Integer>(harness_of(mock.binding).http().calls_of(mock.index).size()));
    return 1;
  });
}

int step_mock_calls(lua_State* L) {
  MockHandle& mock = mock_arg(L, kStepMockType);
  return located(L, [&mock](lua_State* L) {
    lua_pushinteger(L, harness_of(mock.binding).steps().calls(mock.index));
    return 1;
  });
}

void define_type(lua_State* L, const char* type, const luaL_Reg* methods, lua_CFunction index) {
  if (!luaL_newmetatable(L, type)) {
    lua_pop(L, 1);
    return;
  }
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  if (index) lua_pushcclosure(L, index, 1);  // __index(handle, key), the methods as upvalue
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

}  // namespace

std::string unmatched_requests(TestHarness& harness) {
  std::string message;
  for (const auto& request : harness.http().take_unmatched())
    message += (message.empty() ? "" : "; ") + ("no t:mock_http matches " + request.method + " " + request.url);
  return message;
}

void push_harness(lua_State* L, HarnessBinding& binding) {
  static const luaL_Reg harness_methods[] = {
      {"start", t_start},         {"run", t_run},
      {"runs", t_runs},           {"advance", t_advance},
      {"now", t_now},             {"enable_schedules", t_enable_schedules},
      {"mock_http", t_mock_http}, {"http_calls", t_http_calls},
      {"mock_step", t_mock_step}, {"secret", t_secret},
      {"mock_email", t_mock_email}, {"emails", t_emails},
      {"put_document", t_put_document}, {"document", t_document},
      {"documents", t_documents}, {"put_blob", t_put_blob},
      {"blob", t_blob},           {"blobs", t_blobs},
      {"import", t_import},       {"webhook", t_webhook},
      {nullptr, nullptr}};
  static const luaL_Reg run_methods[] = {
      {"status", run_status}, {"result", run_result}, {"error", run_error},   {"record", run_record},
      {"history", run_history}, {"wait", run_wait},   {"send", run_send},     {"cancel", run_cancel},
      {"retry", run_retry},   {"replay", run_replay}, {"fork", run_fork},     {nullptr, nullptr}};
  static const luaL_Reg http_mock_methods[] = {{"calls", http_mock_calls}, {"count", http_mock_count}, {nullptr, nullptr}};
  static const luaL_Reg step_mock_methods[] = {{"calls", step_mock_calls}, {nullptr, nullptr}};
  define_type(L, kHarnessType, harness_methods, nullptr);
  define_type(L, kRunType, run_methods, run_index);
  define_type(L, kHttpMockType, http_mock_methods, nullptr);
  define_type(L, kStepMockType, step_mock_methods, nullptr);
  if (luaL_getmetatable(L, kRunType) == LUA_TTABLE) {
    lua_pushcfunction(L, run_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
  *static_cast<HarnessBinding**>(lua_newuserdatauv(L, sizeof(HarnessBinding*), 0)) = &binding;
  luaL_setmetatable(L, kHarnessType);
}

}  // namespace weft::api
