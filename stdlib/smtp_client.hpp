// weft.email's transport under weft serve: libcurl's SMTP over the
// worker's curl multi driver (curl_multi.hpp), so a send yields the run
// and never blocks the worker. STARTTLS is required on smtp:// unless the
// settings say otherwise; smtps:// is TLS from the start. SMTP 4xx replies
// are retryable (smtp_transient), 5xx are not (smtp_rejected); network
// failures are classified as weft.http's are.
#pragma once
#include "stdlib/curl_multi.hpp"
#include "stdlib/email_transport.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>

namespace weft::stdlib {

class SmtpClient final : public EmailTransport {
 public:
  // The SMTP password, read at each send (a rotated secret is used at
  // once); throws std::runtime_error, naming no value, when it cannot.
  using PasswordSource = std::function<std::string()>;

  SmtpClient(boost::asio::io_context& io, EmailSettings settings, PasswordSource password)
      : settings_(std::move(settings)), password_(std::move(password)), multi_(io) {}

  void send(const OutgoingEmail& email, Done done) override;

 private:
  struct Transfer;
  EmailSettings settings_;
  PasswordSource password_;
  CurlMulti multi_;
};

}  // namespace weft::stdlib
