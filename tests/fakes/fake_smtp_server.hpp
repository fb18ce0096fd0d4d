// A local SMTP server on 127.0.0.1 (an ephemeral port) that plays a mail
// provider in tests: EHLO/HELO, AUTH PLAIN and AUTH LOGIN against one set
// of credentials, MAIL/RCPT/DATA (dot-unstuffed), RSET, NOOP, QUIT, and
// replies scripted per command (the next N RCPT answered 451, ...). It
// speaks no TLS: STARTTLS is advertised only on request and then refused.
// Records every message it accepts.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace weft::testing {

struct FakeSmtpOptions {
  std::string username;  // empty: AUTH is neither offered nor required
  std::string password;
  std::vector<std::string> mechanisms = {"PLAIN", "LOGIN"};  // offered in EHLO
  bool advertise_starttls = false;  // offered in EHLO, answered 454 (no TLS here)
};

struct SmtpMessage {
  std::string helo;       // the EHLO/HELO argument
  std::string auth_user;  // "" when the session did not authenticate
  std::string auth_mechanism;
  std::string mail_from;  // the envelope sender, without <>
  std::vector<std::string> recipients;
  std::string data;  // dot-unstuffed, CRLF line ends, without the final "."
};

class FakeSmtpServer {
 public:
  explicit FakeSmtpServer(FakeSmtpOptions options = {});
  ~FakeSmtpServer();
  FakeSmtpServer(const FakeSmtpServer&) = delete;
  FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;

  unsigned short port() const;
  std::string url() const;  // "smtp://127.0.0.1:PORT"

  // The next `times` commands `command` get `reply` (e.g. "451 4.3.0 try
  // later") instead of their usual answer, and do nothing. `command` is
  // a verb (MAIL, RCPT, DATA, AUTH, ...) or "END" for the reply after the
  // message's final "." (the message is then not recorded).
  void script(const std::string& command, const std::string& reply, int times = 1);

  std::vector<SmtpMessage> messages() const;
  std::size_t connections() const;
  // Every AUTH attempt that failed (wrong user or password).
  std::size_t failed_logins() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::testing
