// weft.email through the real binary: a `weft serve` with an [email]
// section in its weft.toml and the SMTP password in weft.secrets, a
// workflow that sends mail in a step, and the fake SMTP server on
// 127.0.0.1 recording what arrives (and scripting 4xx/5xx replies).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/support/serve_client.hpp"

using nlohmann::json;
using weft::testing::FakeSmtpServer;
using weft::testing::Reply;
using weft::testing::TempDir;

namespace {

const std::string kToken = "api-token";
const std::string kPassword = "smtp-pa55word-e2e";

const char* kNotify = R"(local weft = require "weft"
local email = require "weft.email"
return weft.workflow { name = "notify",
  retry = { attempts = 3, initial = "50ms", backoff = 1.0 },
  run = function(ctx, input)
    return ctx:step("send", function()
      return email.send {
        from = "Weft <noreply@weft.example>",
        to = input.to,
        bcc = "audit@weft.example",
        subject = "Neuer Lead: " .. input.name,
        text = "Hallo " .. input.name .. ",\nwillkommen!",
        html = "<p>Hallo " .. input.name .. "</p>",
        headers = { ["X-Weft-Step"] = ctx.step_key },
      }
    end)
  end })";

// A weft serve whose [email] points at `smtp_url`; `extra` lines go in [email].
struct MailServer {
  MailServer(const std::string& smtp_url, const std::string& extra) {
    auto workflows = dir.path() / "workflows";
    std::filesystem::create_directories(workflows);
    std::ofstream(workflows / "notify.lua") << kNotify;
    std::string db = (dir.path() / "weft.db").string();
    auto set = weft::testing::run_command(
        {WEFT_BINARY, "secrets", "set", "smtp.password", "--value", kPassword, "--db", db});
    REQUIRE(set.exit_code == 0);
    std::string config = (dir.path() / "weft.toml").string();
    std::ofstream(config) << "[email]\nurl = \"" << smtp_url
                          << "\"\nusername = \"mailer\"\npassword_secret = \"smtp.password\"\n" << extra;
    serve = std::make_unique<weft::testing::ServeProcess>(
        workflows, db, std::vector<std::string>{"--workers", "1", "--config", config, "--log-level", "debug"},
        std::map<std::string, std::string>{{"WEFT_API_TOKENS", kToken}});
  }

  // Starts a run of notify and waits (bounded) for its end.
  json notify(const json& input) {
    Reply reply = weft::testing::request("POST", serve->url("/v1/workflows/notify/runs?wait=60"), input.dump(), kToken);
    REQUIRE(reply.status == 200);
    return reply.json_body();
  }

  std::string history(const std::string& run_id) {
    Reply reply = weft::testing::request("GET", serve->url("/v1/runs/" + run_id + "/history"), "", kToken);
    REQUIRE(reply.status == 200);
    return reply.body;
  }

  TempDir dir;
  std::unique_ptr<weft::testing::ServeProcess> serve;
};

weft::testing::FakeSmtpOptions credentials() { return {"mailer", kPassword, {"PLAIN", "LOGIN"}, false}; }

}  // namespace

TEST_CASE("weft serve sends a workflow's mail over SMTP: a 4xx is retried and the mail arrives once",
          "[e2e][email]") {
  FakeSmtpServer smtp(credentials());
  smtp.script("RCPT", "451 4.3.0 Mailbox busy, try later");
  MailServer server(smtp.url(), "starttls = false\n");

  json run = server.notify({{"to", {"Ada Lovelace <ada@example.com>", "bob@example.com"}}, {"name", "Zoë"}});
  INFO(run.dump());
  REQUIRE(run["status"] == "completed");
  CHECK(run["result"]["accepted"] == json({"ada@example.com", "bob@example.com", "audit@weft.example"}));
  std::string message_id = run["result"]["message_id"];
  CHECK(message_id.rfind("<", 0) == 0);
  CHECK(message_id.find("@weft.example>") != std::string::npos);

  auto messages = smtp.messages();
  REQUIRE(messages.size() == 1);
  const auto& mail = messages[0];
  CHECK(mail.auth_user == "mailer");
  CHECK(mail.mail_from == "noreply@weft.example");
  CHECK(mail.recipients == std::vector<std::string>{"ada@example.com", "bob@example.com", "audit@weft.example"});
  std::string headers = mail.data.substr(0, mail.data.find("\r\n\r\n"));
  CHECK(headers.find("From: Weft <noreply@weft.example>\r\n") != std::string::npos);
  CHECK(headers.find("To: Ada Lovelace <ada@example.com>, bob@example.com\r\n") != std::string::npos);
  CHECK(headers.find("Subject: =?UTF-8?B?") != std::string::npos);  // "Zoë" is not ASCII
  CHECK(headers.find("Message-ID: " + message_id + "\r\n") != std::string::npos);
  CHECK(headers.find("X-Weft-Step: " + run["id"].get<std::string>() + ":1\r\n") != std::string::npos);
  CHECK(headers.find("audit@weft.example") == std::string::npos);  // bcc: envelope only
  CHECK(headers.find("Bcc") == std::string::npos);
  CHECK(mail.data.find("Content-Type: multipart/alternative;") != std::string::npos);
  CHECK(mail.data.find("Hallo Zo=C3=AB,\r\nwillkommen!") != std::string::npos);
  CHECK(mail.data.find("<p>Hallo Zo=C3=AB</p>") != std::string::npos);

  json history = json::parse(server.history(run["id"]))["history"];
  REQUIRE(history.size() == 2);
  CHECK(history[0]["status"] == "retrying");
  CHECK(history[0]["error"]["kind"] == "smtp_transient");
  CHECK(history[0]["error"]["reply_code"] == 451);
  CHECK(history[1]["status"] == "completed");
}

TEST_CASE("weft serve fails a run whose mail the SMTP server rejects (5xx) without retrying",
          "[e2e][email]") {
  FakeSmtpServer smtp(credentials());
  smtp.script("RCPT", "550 5.1.1 No such user", 5);
  MailServer server(smtp.url(), "starttls = false\n");

  json run = server.notify({{"to", "nobody@example.com"}, {"name", "Ada"}});
  INFO(run.dump());
  REQUIRE(run["status"] == "failed");
  CHECK(run["error"]["kind"] == "smtp_rejected");
  CHECK(run["error"]["retryable"] == false);
  CHECK(run["error"]["message"].get<std::string>().find("550 5.1.1 No such user") != std::string::npos);
  json history = json::parse(server.history(run["id"]))["history"];
  REQUIRE(history.size() == 1);
  CHECK(history[0]["status"] == "failed");
  CHECK(smtp.connections() == 1);
  CHECK(smtp.messages().empty());
}

TEST_CASE("the SMTP password is in no run history, error or log line of weft serve", "[e2e][email]") {
  FakeSmtpServer smtp(credentials());
  FakeSmtpServer wrong_password({"mailer", "another-password", {"PLAIN"}, false});
  std::string sent_id, refused_id;
  std::string log;
  {
    MailServer server(smtp.url(), "starttls = false\n");
    json sent = server.notify({{"to", "ada@example.com"}, {"name", "Ada"}});
    REQUIRE(sent["status"] == "completed");
    CHECK(server.history(sent["id"]).find(kPassword) == std::string::npos);
    log = server.serve->terminate().err;
  }
  {
    MailServer server(wrong_password.url(), "starttls = false\n");
    json refused = server.notify({{"to", "ada@example.com"}, {"name", "Ada"}});
    INFO(refused.dump());
    REQUIRE(refused["status"] == "failed");
    CHECK(refused["error"]["kind"] == "smtp_rejected");  // 535: retrying will not help
    CHECK(refused.dump().find(kPassword) == std::string::npos);
    CHECK(server.history(refused["id"]).find(kPassword) == std::string::npos);
    log += server.serve->terminate().err;
  }
  CHECK(wrong_password.failed_logins() == 1);
  CHECK_FALSE(log.empty());
  CHECK(log.find(kPassword) == std::string::npos);
}

TEST_CASE("weft serve requires STARTTLS on smtp:// by default and refuses a server without it",
          "[e2e][email]") {
  FakeSmtpServer smtp(credentials());
  MailServer server(smtp.url(), "");
  json run = server.notify({{"to", "ada@example.com"}, {"name", "Ada"}});
  INFO(run.dump());
  REQUIRE(run["status"] == "failed");
  CHECK(run["error"]["kind"] == "tls");
  CHECK(run["error"]["message"].get<std::string>().find("the server offers no STARTTLS, which [email] requires") !=
        std::string::npos);
  CHECK(smtp.messages().empty());
}
