// weft.email's parts without a server process: the MIME builder (encoding,
// multipart, bcc, header injection), and the SMTP client against the fake
// SMTP server (auth, scripted 4xx/5xx replies, STARTTLS required, errors
// that never carry the password).
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>

#include "stdlib/crypto_primitives.hpp"
#include "stdlib/mime_message.hpp"
#include "stdlib/smtp_client.hpp"
#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/support/engine_fixture.hpp"

using weft::stdlib::EmailOutcome;
using weft::stdlib::EmailSettings;
using weft::stdlib::Mail;
using weft::stdlib::MailError;
using weft::stdlib::build_mime;
using weft::stdlib::encode_header_text;
using weft::stdlib::quoted_printable;
using weft::testing::FakeSmtpOptions;
using weft::testing::FakeSmtpServer;

namespace {

constexpr int64_t kDate = 1704207845;  // Tue, 02 Jan 2024 15:04:05 UTC

Mail simple_mail() {
  Mail mail;
  mail.from = "Weft <noreply@weft.example>";
  mail.to = {"ada@example.com"};
  mail.subject = "Hello";
  mail.text = "Hi Ada";
  return mail;
}

// The header block of a message (up to the first empty line).
std::string header_block(const std::string& data) { return data.substr(0, data.find("\r\n\r\n") + 2); }

// Decodes the =?UTF-8?B?...?= words of a header value (folds removed).
std::string decode_words(std::string value) {
  std::string out;
  size_t at = 0;
  while ((at = value.find("=?UTF-8?B?", at)) != std::string::npos) {
    size_t end = value.find("?=", at + 10);
    out += weft::stdlib::crypto::base64_decode(value.substr(at + 10, end - at - 10));
    at = end + 2;
  }
  return out;
}

// Sends one message through a fresh SmtpClient and runs its loop until done.
EmailOutcome send_with(const EmailSettings& settings, const Mail& mail, const std::string& password = "s3cret-pass") {
  boost::asio::io_context io;
  weft::stdlib::SmtpClient client(io, settings, [password] { return password; });
  weft::stdlib::OutgoingEmail email{mail, build_mime(mail, kDate, "abc123")};
  std::optional<EmailOutcome> outcome;
  client.send(email, [&](EmailOutcome o) { outcome = std::move(o); });
  io.run();  // ends when the transfer is done: the client then has no work left
  REQUIRE(outcome.has_value());
  return *outcome;
}

EmailSettings plain_settings(const FakeSmtpServer& server, const std::string& user = "mailer") {
  EmailSettings settings;
  settings.url = server.url();
  settings.username = user;
  settings.password_secret = user.empty() ? "" : "smtp.password";
  settings.starttls = false;
  settings.timeout_ms = 20'000;
  return settings;
}

}  // namespace

TEST_CASE("a text email: Date, Message-ID, From, To, Subject and a quoted-printable UTF-8 body",
          "[email]") {
  Mail mail = simple_mail();
  mail.text = "Grüße = 1\nline two\n";
  auto message = build_mime(mail, kDate, "abc123");
  CHECK(message.envelope_from == "noreply@weft.example");
  CHECK(message.recipients == std::vector<std::string>{"ada@example.com"});
  CHECK(message.message_id == "<abc123@weft.example>");
  CHECK(message.data ==
        "Date: Tue, 02 Jan 2024 15:04:05 +0000\r\n"
        "From: Weft <noreply@weft.example>\r\n"
        "To: ada@example.com\r\n"
        "Subject: Hello\r\n"
        "Message-ID: <abc123@weft.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Gr=C3=BC=C3=9Fe =3D 1\r\nline two\r\n\r\n");
}

TEST_CASE("quoted-printable keeps lines at 76, encodes trailing blanks and normalises line ends",
          "[email]") {
  std::string long_line(200, 'a');
  std::string encoded = quoted_printable(long_line);
  size_t begin = 0;
  while (begin < encoded.size()) {
    size_t end = encoded.find("\r\n", begin);
    if (end == std::string::npos) end = encoded.size();
    CHECK(end - begin <= 76);
    begin = end + 2;
  }
  std::string decoded = encoded;
  for (size_t at; (at = decoded.find("=\r\n")) != std::string::npos;) decoded.erase(at, 3);
  CHECK(decoded == long_line);
  CHECK(quoted_printable("end \nx\t") == "end=20\r\nx=09");
  CHECK(quoted_printable("a\r\nb\rc\n") == "a\r\nb\r\nc\r\n");
}

TEST_CASE("a non-ASCII subject and display name become RFC 2047 words that decode back", "[email]") {
  Mail mail = simple_mail();
  std::string subject = "Réunion ✓ " + std::string(40, 'x') + " über alles — 日本語のテキスト";
  mail.subject = subject;
  mail.to = {"Zoë Ünal <zoe@example.com>"};
  auto data = header_block(build_mime(mail, kDate, "abc123").data);
  size_t start = data.find("Subject: ") + 9;
  std::string value = data.substr(start, data.find("\r\nMessage-ID") - start);
  CHECK(decode_words(value) == subject);
  // Each word within 75 characters, each line short, folded between words.
  size_t begin = 0;
  while ((begin = value.find("=?", begin)) != std::string::npos) {
    size_t end = value.find("?=", begin + 10) + 2;
    CHECK(end - begin <= 75);
    begin = end;
  }
  CHECK(value.find("\r\n ") != std::string::npos);
  CHECK(data.find("To: =?UTF-8?B?") != std::string::npos);
  CHECK(data.find("?= <zoe@example.com>\r\n") != std::string::npos);
  CHECK(encode_header_text("plain ascii") == "plain ascii");
}

TEST_CASE("text and html together make multipart/alternative with both parts in quoted-printable",
          "[email]") {
  Mail mail = simple_mail();
  mail.text = "Plain ü";
  mail.html = "<p>Rich ü</p>";
  auto data = build_mime(mail, kDate, "abc123").data;
  CHECK(data.find("Content-Type: multipart/alternative; boundary=\"=_weft_abc123\"\r\n\r\n") !=
        std::string::npos);
  std::string expected_body =
      "--=_weft_abc123\r\n"
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Plain =C3=BC\r\n"
      "--=_weft_abc123\r\n"
      "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "<p>Rich =C3=BC</p>\r\n"
      "--=_weft_abc123--\r\n";
  CHECK(data.substr(data.find("\r\n\r\n") + 4) == expected_body);
  // Only one Content-Type at the top: the parts carry their own.
  CHECK(header_block(data).find("text/plain") == std::string::npos);
}

TEST_CASE("bcc recipients are in the envelope but in no header, recipients listed once", "[email]") {
  Mail mail = simple_mail();
  mail.to = {"ada@example.com", "Bob <bob@example.com>"};
  mail.cc = {"carol@example.com", "ada@example.com"};
  mail.bcc = {"audit@example.com"};
  mail.reply_to = {"support@weft.example"};
  auto message = build_mime(mail, kDate, "abc123");
  CHECK(message.recipients ==
        std::vector<std::string>{"ada@example.com", "bob@example.com", "carol@example.com", "audit@example.com"});
  CHECK(message.data.find("audit@example.com") == std::string::npos);
  CHECK(message.data.find("Bcc") == std::string::npos);
  CHECK(message.data.find("To: ada@example.com, Bob <bob@example.com>\r\n") != std::string::npos);
  CHECK(message.data.find("Cc: carol@example.com, ada@example.com\r\n") != std::string::npos);
  CHECK(message.data.find("Reply-To: support@weft.example\r\n") != std::string::npos);
}

TEST_CASE("long address lists and ASCII subjects are folded under 78 columns", "[email]") {
  Mail mail = simple_mail();
  for (int i = 0; i < 8; ++i) mail.to.push_back("someone" + std::to_string(i) + "@example.com");
  std::string subject;
  for (int i = 0; i < 20; ++i) subject += (i ? " " : "") + std::string("word") + std::to_string(i);
  mail.subject = subject;
  auto data = header_block(build_mime(mail, kDate, "abc123").data);
  size_t begin = 0;
  while (begin < data.size()) {
    size_t end = data.find("\r\n", begin);
    INFO(data.substr(begin, end - begin));
    CHECK(end - begin <= 78);
    begin = end + 2;
  }
  std::string unfolded = data;
  for (size_t at; (at = unfolded.find("\r\n ")) != std::string::npos;) unfolded.replace(at, 3, " ");
  CHECK(unfolded.find("Subject: " + subject + "\r\n") != std::string::npos);
}

TEST_CASE("extra headers are written in name order, and headers weft.email writes are refused",
          "[email]") {
  Mail mail = simple_mail();
  mail.headers = {{"X-Weft-Run", "r1"}, {"List-Unsubscribe", "<mailto:u@weft.example>"}};
  auto data = build_mime(mail, kDate, "abc123").data;
  CHECK(data.find("X-Weft-Run: r1\r\n") != std::string::npos);
  mail.headers = {{"bcc", "x@example.com"}};
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"),
                    "field 'headers': 'bcc' is written by weft.email (use its own field)");
  mail.headers = {{"Bad Name", "x"}};
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"), "field 'headers': 'Bad Name' is not a header name");
}

TEST_CASE("CR or LF in a subject, address, name or header value is refused as header injection",
          "[email]") {
  auto refused = [](const std::function<void(Mail&)>& change, const std::string& field) {
    Mail mail = simple_mail();
    change(mail);
    CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"),
                      "field '" + field + "' must not contain CR, LF or NUL (header injection)");
  };
  refused([](Mail& m) { m.subject = "Hi\r\nBcc: victim@example.com"; }, "subject");
  refused([](Mail& m) { m.subject = "Hi\nthere"; }, "subject");
  refused([](Mail& m) { m.to = {"ada@example.com\r\nBcc: victim@example.com"}; }, "to");
  refused([](Mail& m) { m.cc = {"Eve\r\n <eve@example.com>"}; }, "cc");
  refused([](Mail& m) { m.bcc = {"x@example.com\n"}; }, "bcc");
  refused([](Mail& m) { m.from = "Weft\r <noreply@weft.example>"; }, "from");
  refused([](Mail& m) { m.reply_to = {"r@example.com\r\nX: y"}; }, "reply_to");
  refused([](Mail& m) { m.headers = {{"X-Tag", "a\r\nBcc: victim@example.com"}}; }, "headers.X-Tag");
}

TEST_CASE("bad addresses and missing parts are refused naming the field", "[email]") {
  Mail mail = simple_mail();
  mail.to = {"not an address"};
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"),
                    "field 'to': 'not an address' is not an address (user@host or \"Name <user@host>\")");
  mail.to = {"Ada <ada@example.com"};
  CHECK_THROWS_AS(build_mime(mail, kDate, "abc123"), MailError);
  mail.to = {"ada@exämple.com"};
  CHECK_THROWS_AS(build_mime(mail, kDate, "abc123"), MailError);
  mail = simple_mail();
  mail.to.clear();
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"), "no recipient: give 'to', 'cc' or 'bcc'");
  mail = simple_mail();
  mail.text.reset();
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"), "field 'text' or 'html' (string) expected");
  mail = simple_mail();
  mail.text = "bad \xFF byte";
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"), Catch::StartsWith("field 'text' is invalid UTF-8"));
  mail = simple_mail();
  mail.from = "";
  CHECK_THROWS_WITH(build_mime(mail, kDate, "abc123"), "field 'from' (address) expected");
}

TEST_CASE("the SMTP client sends with AUTH PLAIN: envelope, recipients and data arrive", "[email]") {
  FakeSmtpServer server({"mailer", "s3cret-pass", {"PLAIN"}, false});
  Mail mail = simple_mail();
  mail.bcc = {"audit@example.com"};
  mail.text = "line one\n.dotted line\n";
  auto outcome = send_with(plain_settings(server), mail);
  INFO(outcome.kind << ": " << outcome.message);
  REQUIRE(outcome.ok);
  auto messages = server.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].auth_user == "mailer");
  CHECK(messages[0].auth_mechanism == "PLAIN");
  CHECK(messages[0].mail_from == "noreply@weft.example");
  CHECK(messages[0].recipients == std::vector<std::string>{"ada@example.com", "audit@example.com"});
  CHECK(messages[0].data == build_mime(mail, kDate, "abc123").data);  // dot-stuffed and unstuffed
  CHECK(messages[0].data.find("Bcc") == std::string::npos);
}

TEST_CASE("the SMTP client logs in with AUTH LOGIN when that is all the server offers", "[email]") {
  FakeSmtpServer server({"mailer", "s3cret-pass", {"LOGIN"}, false});
  auto outcome = send_with(plain_settings(server), simple_mail());
  REQUIRE(outcome.ok);
  REQUIRE(server.messages().size() == 1);
  CHECK(server.messages()[0].auth_mechanism == "LOGIN");
}

TEST_CASE("SMTP 4xx replies are smtp_transient (retryable), 5xx smtp_rejected (not)", "[email]") {
  FakeSmtpServer server({"mailer", "s3cret-pass", {"PLAIN"}, false});
  server.script("RCPT", "451 4.3.0 Mailbox busy, try later");
  auto transient = send_with(plain_settings(server), simple_mail());
  CHECK_FALSE(transient.ok);
  CHECK(transient.kind == "smtp_transient");
  CHECK(transient.retryable);
  CHECK(transient.reply_code == 451);
  CHECK(transient.message == server.url() + " answered 451 4.3.0 Mailbox busy, try later");

  server.script("END", "550 5.7.1 Message refused");
  auto rejected = send_with(plain_settings(server), simple_mail());
  CHECK(rejected.kind == "smtp_rejected");
  CHECK_FALSE(rejected.retryable);
  CHECK(rejected.reply_code == 550);
  CHECK(server.messages().empty());

  server.script("MAIL", "452 4.3.1 Insufficient system storage");
  CHECK(send_with(plain_settings(server), simple_mail()).kind == "smtp_transient");
  REQUIRE(send_with(plain_settings(server), simple_mail()).ok);
  CHECK(server.messages().size() == 1);
}

TEST_CASE("a wrong SMTP password is smtp_rejected and no message carries it", "[email]") {
  FakeSmtpServer server({"mailer", "s3cret-pass", {"PLAIN", "LOGIN"}, false});
  auto outcome = send_with(plain_settings(server), simple_mail(), "wrong-password-123");
  CHECK(outcome.kind == "smtp_rejected");
  CHECK(outcome.reply_code == 535);
  CHECK(outcome.message.find("wrong-password-123") == std::string::npos);
  CHECK(server.failed_logins() == 1);
  CHECK(server.messages().empty());
}

TEST_CASE("STARTTLS is required on smtp:// by default: a server without it is refused", "[email]") {
  FakeSmtpServer server({"mailer", "s3cret-pass", {"PLAIN"}, false});
  EmailSettings settings = plain_settings(server);
  settings.starttls = true;
  auto outcome = send_with(settings, simple_mail());
  CHECK(outcome.kind == "tls");
  CHECK_FALSE(outcome.retryable);
  CHECK(outcome.message == server.url() +
                               ": the server offers no STARTTLS, which [email] requires (starttls = false "
                               "allows plain SMTP, for a trusted local server only)");
  CHECK(server.messages().empty());

  // Offered but then refused with 454: the server's reply decides, like any 4xx.
  FakeSmtpServer refusing({"mailer", "s3cret-pass", {"PLAIN"}, true});
  settings.url = refusing.url();
  auto refused = send_with(settings, simple_mail());
  CHECK(refused.kind == "smtp_transient");
  CHECK(refused.reply_code == 454);
  CHECK(refusing.messages().empty());
}

TEST_CASE("a refused connection is kind connect (retryable), as in weft.http", "[email]") {
  unsigned short port = 0;
  {
    FakeSmtpServer gone;
    port = gone.port();
  }
  EmailSettings settings;
  settings.url = "smtp://127.0.0.1:" + std::to_string(port);
  settings.starttls = false;
  auto outcome = send_with(settings, simple_mail());
  CHECK(outcome.kind == "connect");
  CHECK(outcome.retryable);
}

TEST_CASE("a password that cannot be read fails the send as email_config", "[email]") {
  FakeSmtpServer server({"mailer", "s3cret-pass", {"PLAIN"}, false});
  boost::asio::io_context io;
  weft::stdlib::SmtpClient client(io, plain_settings(server), []() -> std::string {
    throw std::runtime_error("the SMTP password secret 'smtp.password' is not set");
  });
  Mail mail = simple_mail();
  std::optional<EmailOutcome> outcome;
  client.send({mail, build_mime(mail, kDate, "abc123")}, [&](EmailOutcome o) { outcome = std::move(o); });
  io.run();
  REQUIRE(outcome);
  CHECK(outcome->kind == "email_config");
  CHECK(outcome->message == "the SMTP password secret 'smtp.password' is not set");
  CHECK(server.connections() == 0);
}

TEST_CASE("email.send outside a step, and without a configured server, are refused", "[email]") {
  weft::testing::EngineFixture f;
  f.write_workflow("body_mail", R"(local weft = require "weft"
local email = require "weft.email"
return weft.workflow { name = "body_mail", run = function(ctx)
  email.send { from = "a@example.com", to = "b@example.com", text = "x" }
end })");
  f.write_workflow("no_server", R"(local weft = require "weft"
local email = require "weft.email"
return weft.workflow { name = "no_server", retry = { attempts = 1 }, run = function(ctx)
  return ctx:step("send", function()
    return email.send { from = "a@example.com", to = "b@example.com", text = "x" }
  end)
end })");
  f.write_workflow("misuse", R"(local weft = require "weft"
local email = require "weft.email"
return weft.workflow { name = "misuse", retry = { attempts = 1 }, run = function(ctx)
  return ctx:step("send", function()
    return email.send { from = "a@example.com", to = "b@example.com", subject = "x\r\nBcc: c@example.com",
                        text = "x" }
  end)
end })");
  auto body = f.run(f.start("body_mail").id);
  CHECK(body.status == weft::engine::RunStatus::Failed);
  CHECK(body.error["message"].get<std::string>().find(
            "email.send may only be called inside ctx:step, so that replay does not repeat it") != std::string::npos);
  auto no_server = f.run(f.start("no_server").id);
  CHECK(no_server.error["kind"] == "email_config");
  CHECK(no_server.error["message"] == "email.send: no mail server is configured ([email] url in weft.toml)");
  auto misuse = f.run(f.start("misuse").id);
  CHECK(misuse.error["message"].get<std::string>().find(
            "bad argument #1 to 'send' (field 'subject' must not contain CR, LF or NUL (header injection))") !=
        std::string::npos);
}
