// The message weft.email sends, built as RFC 5322 + MIME text with no I/O:
// UTF-8 headers as RFC 2047 encoded-words, bodies quoted-printable with
// charset=utf-8, multipart/alternative when both text and html are given.
// Every header value, address and name is checked here: CR or LF anywhere
// (header injection) is refused, never escaped.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::stdlib {

// An email as a workflow gives it. Addresses are "user@host" or
// "Display Name <user@host>"; bcc recipients get the message but appear
// in no header.
struct Mail {
  std::string from;
  std::vector<std::string> to, cc, bcc, reply_to;
  std::optional<std::string> subject;
  std::optional<std::string> text, html;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order
};

// What goes over the wire: the SMTP envelope and the message text (CRLF
// line ends, not dot-stuffed: the SMTP client does that).
struct MimeMessage {
  std::string message_id;               // "<...@host>", as in the Message-ID header
  std::string envelope_from;            // user@host of `from`
  std::vector<std::string> recipients;  // user@host of to, cc and bcc, each once
  std::string data;
};

// A Mail a caller got wrong; the message names the field, e.g. "field
// 'subject' must not contain CR or LF".
struct MailError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Builds the message. `unix_seconds` is its Date; `unique` (letters and
// digits, e.g. random hex) makes its Message-ID and multipart boundary.
// Throws MailError.
MimeMessage build_mime(const Mail& mail, int64_t unix_seconds, const std::string& unique);

// The user@host of "user@host" or "Name <user@host>"; throws MailError
// naming `field` when it is not one.
std::string mailbox_address(std::string_view mailbox, const std::string& field);

// `text` as a header value: as is when printable ASCII, else RFC 2047
// encoded-words (=?UTF-8?B?...?=, each at most 75 characters, separated
// by CRLF SP so the header folds between them).
std::string encode_header_text(std::string_view text);

// Quoted-printable (RFC 2045) of `text` whose line ends (CRLF, LF or CR)
// become CRLF; encoded lines are at most 76 characters.
std::string quoted_printable(std::string_view text);

// "Tue, 02 Jan 2024 15:04:05 +0000" (RFC 5322, UTC).
std::string rfc5322_date(int64_t unix_seconds);

}  // namespace weft::stdlib
