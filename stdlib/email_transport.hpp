// What weft.email hands over to send a message, and where it goes: the
// SMTP client (smtp_client.hpp) under weft serve, a recording outbox under
// weft test (api/email_outbox.hpp). weft.email finds the transport among
// the run's services, so it never knows which one it has.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "stdlib/mime_message.hpp"

namespace weft::stdlib {

// [email] in weft.toml: the one SMTP server a process sends through.
struct EmailSettings {
  std::string url;              // smtp://host[:port] or smtps://host[:port]; empty: no email
  std::string username;         // empty: no AUTH
  std::string password_secret;  // the weft.secrets entry holding the password
  bool starttls = true;         // smtp:// only: refuse a server without STARTTLS
  int64_t timeout_ms = 60'000;  // the whole send
};

struct OutgoingEmail {
  Mail mail;            // as the workflow gave it
  MimeMessage message;  // envelope and text, built from it
};

// A send's outcome; on failure, classified for retries.
struct EmailOutcome {
  bool ok = false;
  std::string kind;  // smtp_transient, smtp_rejected, timeout, connect, tls, ...
  std::string message;
  bool retryable = false;
  long reply_code = 0;  // the server's SMTP reply that failed it; 0 when none
};

class EmailTransport {
 public:
  virtual ~EmailTransport() = default;
  using Done = std::function<void(EmailOutcome)>;
  // Sends the message; `done` runs later on the worker loop's thread,
  // never inside this call.
  virtual void send(const OutgoingEmail& email, Done done) = 0;
};

}  // namespace weft::stdlib
