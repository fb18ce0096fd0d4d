// weft.email: sending mail from workflow steps, non-blocking. email.send
// builds the message (stdlib/mime_message.cpp), hands it to the run's
// EmailTransport (SMTP under weft serve, a recording outbox under weft
// test) and yields until it is accepted or refused (dsl/async_call.hpp).
// Misuse (a missing field, CR/LF in a header) raises; a refused or failed
// send is a weft.error with a kind that retry policies read.
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dsl/async_call.hpp"
#include "dsl/ctx.hpp"
#include "dsl/lua_guard.hpp"
#include "engine/trace.hpp"
#include "stdlib/crypto_primitives.hpp"
#include "stdlib/email_transport.hpp"
#include "stdlib/native_modules.hpp"

namespace weft::stdlib {
namespace {

using dsl::ArgError;

const std::set<std::string>& known_fields() {
  static const std::set<std::string> fields = {"from", "to",   "cc",   "bcc",    "reply_to",
                                               "subject", "text", "html", "headers"};
  return fields;
}

// A Lua string value as bytes (lengths kept, so a NUL reaches the checks).
std::string bytes_at(lua_State* L, int index) {
  size_t length = 0;
  const char* data = lua_tolstring(L, index, &length);
  return {data, length};
}

std::optional<std::string> optional_string(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  std::optional<std::string> value;
  if (lua_type(L, -1) == LUA_TSTRING) value = bytes_at(L, -1);
  bool bad = !lua_isnil(L, -1) && !value;
  lua_pop(L, 1);
  if (bad) throw ArgError(1, std::string("field '") + key + "' must be a string");
  return value;
}

// A string, or a list of strings: the addresses of to, cc, bcc, reply_to.
std::vector<std::string> address_list(lua_State* L, int table, const char* key) {
  std::vector<std::string> out;
  int type = lua_getfield(L, table, key);
  if (type == LUA_TSTRING) {
    out.push_back(bytes_at(L, -1));
  } else if (type == LUA_TTABLE) {
    lua_Integer count = static_cast<lua_Integer>(lua_rawlen(L, -1));
    for (lua_Integer i = 1; i <= count; ++i) {
      bool is_string = lua_rawgeti(L, -1, i) == LUA_TSTRING;
      if (is_string) out.push_back(bytes_at(L, -1));
      lua_pop(L, 1);
      if (!is_string) {
        lua_pop(L, 1);
        throw ArgError(1, std::string("field '") + key + "' must be a string or a list of strings");
      }
    }
  } else if (type != LUA_TNIL) {
    lua_pop(L, 1);
    throw ArgError(1, std::string("field '") + key + "' must be a string or a list of strings");
  }
  lua_pop(L, 1);
  return out;
}

Mail read_mail(lua_State* L, int table) {
  lua_pushnil(L);
  while (lua_next(L, table)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING || !known_fields().count(lua_tostring(L, -1))) {
      std::string key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
      lua_pop(L, 1);
      throw ArgError(1, "unknown field '" + key + "'");
    }
  }
  Mail mail;
  mail.from = optional_string(L, table, "from").value_or("");
  mail.to = address_list(L, table, "to");
  mail.cc = address_list(L, table, "cc");
  mail.bcc = address_list(L, table, "bcc");
  mail.reply_to = address_list(L, table, "reply_to");
  mail.subject = optional_string(L, table, "subject");
  mail.text = optional_string(L, table, "text");
  mail.html = optional_string(L, table, "html");
  int type = lua_getfield(L, table, "headers");
  if (type == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 3);
        throw ArgError(1, "field 'headers' must map header names to strings");
      }
      mail.headers.emplace_back(bytes_at(L, -2), bytes_at(L, -1));
      lua_pop(L, 1);
    }
    std::sort(mail.headers.begin(), mail.headers.end());  // the same table always gives the same text
  } else if (type != LUA_TNIL) {
    lua_pop(L, 1);
    throw ArgError(1, "field 'headers' must be a table");
  }
  lua_pop(L, 1);
  return mail;
}

void push_sent(lua_State* L, const MimeMessage& message) {
  lua_createtable(L, 0, 2);
  lua_pushlstring(L, message.message_id.data(), message.message_id.size());
  lua_setfield(L, -2, "message_id");
  lua_createtable(L, static_cast<int>(message.recipients.size()), 0);
  for (size_t i = 0; i < message.recipients.size(); ++i) {
    lua_pushlstring(L, message.recipients[i].data(), message.recipients[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "accepted");
}

int send_body(lua_State* L) {
  dsl::require_step(L, "email.send");
  dsl::RunLink* link = dsl::governing_link(L);
  if (link == nullptr || link->run == nullptr || dsl::run_link(L) == nullptr)
    throw std::runtime_error("email.send can only run inside a workflow step");
  dsl::RunContext& rc = *link->run;
  OutgoingEmail email;
  email.mail = read_mail(L, 1);
  try {
    using namespace std::chrono;
    int64_t now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    email.message = build_mime(email.mail, now, crypto::hex_encode(crypto::random_bytes(12)));
  } catch (const MailError& e) {
    throw ArgError(1, e.what());
  }
  EmailTransport* transport = rc.service<EmailTransport>();
  if (transport == nullptr)
    throw dsl::KindError("email_config", "email.send: no mail server is configured ([email] url in weft.toml)",
                         false);
  std::string trace_label = "email run=" + rc.run.id + " step=" + dsl::run_link(L)->step_name +
                            " recipients=" + std::to_string(email.message.recipients.size());
  auto started = std::chrono::steady_clock::now();
  return dsl::start_async(L, rc, [&](dsl::AsyncComplete complete) {
    transport->send(email, [complete, message = email.message, trace_label, started](EmailOutcome outcome) {
      if (engine::trace_enabled()) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        engine::trace(trace_label + " status=" + (outcome.ok ? "sent" : outcome.kind) +
                      " ms=" + std::to_string(ms.count()));
      }
      complete([outcome = std::move(outcome), message](lua_State* L) -> int {
        if (outcome.ok) {
          push_sent(L, message);
          return 1;
        }
        dsl::push_error_object(L, outcome.kind, outcome.message, outcome.retryable);
        if (outcome.reply_code != 0) {
          lua_pushinteger(L, outcome.reply_code);
          lua_setfield(L, -2, "reply_code");
        }
        return dsl::kRaise;
      });
    });
  });
}

int email_send(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  return dsl::finish_call(L, dsl::guarded(L, [](lua_State* L) { return send_body(L); }),
                          dsl::async_continuation);
}

}  // namespace

int open_email(lua_State* L) {
  const luaL_Reg functions[] = {{"send", email_send}, {nullptr, nullptr}};
  luaL_newlib(L, functions);
  return 1;
}

}  // namespace weft::stdlib
