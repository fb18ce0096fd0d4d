// The MIME builder of weft.email (see mime_message.hpp).
#include "stdlib/mime_message.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <set>

#include "engine/utf8.hpp"
#include "stdlib/crypto_primitives.hpp"

namespace weft::stdlib {
namespace {

constexpr size_t kLineWidth = 78;  // RFC 5322's recommended limit, before CRLF

bool printable_ascii(std::string_view text) {
  for (char c : text)
    if ((c < 0x20 || c > 0x7e) && c != '\t') return false;
  return true;
}

// Refuses what would break out of a header (CR, LF, NUL) and invalid UTF-8.
void check_value(std::string_view value, const std::string& field) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
    throw MailError("field '" + field + "' must not contain CR, LF or NUL (header injection)");
  if (size_t at = engine::invalid_utf8_at(value); at != std::string_view::npos)
    throw MailError("field '" + field + "' is " + engine::describe_invalid_utf8(value, at));
}

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// A mailbox split into its display name ("" when none) and address.
struct Mailbox {
  std::string_view name;
  std::string_view address;
};

Mailbox split_mailbox(std::string_view mailbox, const std::string& field) {
  check_value(mailbox, field);
  mailbox = trim(mailbox);
  Mailbox out{{}, mailbox};
  if (!mailbox.empty() && mailbox.back() == '>') {
    size_t open = mailbox.rfind('<');
    if (open == std::string_view::npos)
      throw MailError("field '" + field + "': '" + std::string(mailbox) + "' has '>' without '<'");
    out.name = trim(mailbox.substr(0, open));
    out.address = mailbox.substr(open + 1, mailbox.size() - open - 2);
  }
  std::string_view address = out.address;
  size_t at = address.rfind('@');
  bool valid = !address.empty() && address.size() <= 254 && at != std::string_view::npos && at > 0 &&
               at + 1 < address.size();
  for (char c : address)
    if (c <= 0x20 || c > 0x7e || std::string_view("<>()[],;:\\\"").find(c) != std::string_view::npos) valid = false;
  if (!valid)
    throw MailError("field '" + field + "': '" + std::string(mailbox) +
                    "' is not an address (user@host or \"Name <user@host>\")");
  return out;
}

// The display name as a header phrase: encoded-words when not ASCII,
// a quoted string when it holds specials, else as written.
std::string phrase(std::string_view name) {
  if (!printable_ascii(name)) return encode_header_text(name);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') return std::string(name);
  if (name.find_first_of("()<>[]:;@\\,.\"") == std::string_view::npos) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string render_mailbox(std::string_view mailbox, const std::string& field) {
  Mailbox parts = split_mailbox(mailbox, field);
  if (parts.name.empty()) return std::string(parts.address);
  return phrase(parts.name) + " <" + std::string(parts.address) + ">";
}

// "Name: a, b" folded between addresses once a line would pass kLineWidth.
std::string address_header(const std::string& name, const std::vector<std::string>& mailboxes,
                           const std::string& field) {
  std::string out = name + ": ";
  size_t column = out.size();
  for (size_t i = 0; i < mailboxes.size(); ++i) {
    std::string item = render_mailbox(mailboxes[i], field);
    if (i > 0) {
      bool fold = column + 2 + item.size() > kLineWidth;
      out += fold ? ",\r\n " : ", ";
      column = fold ? 1 : column + 2;
    }
    out += item;
    size_t last_break = item.rfind('\n');
    column = last_break == std::string::npos ? column + item.size() : item.size() - last_break - 1;
  }
  return out + "\r\n";
}

// "Name: value" with an ASCII value folded at spaces once a line would
// pass kLineWidth; encoded-words carry their own folds.
std::string text_header(const std::string& name, std::string_view value) {
  std::string encoded = encode_header_text(value);
  if (encoded != value) return name + ": " + encoded + "\r\n";
  std::string out = name + ":";
  size_t column = out.size();
  size_t begin = 0;
  while (begin <= value.size()) {
    size_t end = value.find(' ', begin);
    if (end == std::string_view::npos) end = value.size();
    std::string_view word = value.substr(begin, end - begin);
    bool fold = !word.empty() && column > name.size() + 1 && column + 1 + word.size() > kLineWidth;
    out += fold ? "\r\n " : " ";
    column = fold ? 1 : column + 1;
    out += word;
    column += word.size();
    begin = end + 1;
  }
  return out + "\r\n";
}

// The headers build_mime writes itself.
constexpr std::array<const char*, 11> kOwnHeaders = {
    "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding"};

void check_header_name(const std::string& name) {
  bool valid = !name.empty() && name.size() <= 76;
  for (char c : name)
    if (c < 33 || c > 126 || c == ':') valid = false;
  if (!valid) throw MailError("field 'headers': '" + name + "' is not a header name");
  if (std::any_of(kOwnHeaders.begin(), kOwnHeaders.end(),
                  [&](const char* own) { return strcasecmp(own, name.c_str()) == 0; }))
    throw MailError("field 'headers': '" + name + "' is written by weft.email (use its own field)");
}

std::string part_headers(const char* type) {
  return std::string("Content-Type: text/") + type +
         "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n";
}

size_t utf8_length(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

}  // namespace

std::string mailbox_address(std::string_view mailbox, const std::string& field) {
  return std::string(split_mailbox(mailbox, field).address);
}

std::string encode_header_text(std::string_view text) {
  if (printable_ascii(text)) return std::string(text);
  // 45 bytes make 60 base64 characters: a word of 72, within RFC 2047's 75.
  constexpr size_t kBytesPerWord = 45;
  std::string out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = begin;
    while (end < text.size()) {  // whole characters only: a word must decode on its own
      size_t length = utf8_length(static_cast<unsigned char>(text[end]));
      if (end + length - begin > kBytesPerWord) break;
      end += length;
    }
    end = std::min(end, text.size());
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::base64_encode(text.substr(begin, end - begin)) + "?=";
    begin = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  size_t column = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') {  // a hard line break: CRLF, LF or a lone CR
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
      column = 0;
      continue;
    }
    bool line_end = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    std::string token;
    if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end)) {
      token = static_cast<char>(c);
    } else {
      token = {'=', kHex[c >> 4], kHex[c & 15]};
    }
    if (column + token.size() > 75) {  // a soft break keeps lines at 76 with its '='
      out += "=\r\n";
      column = 0;
    }
    out += token;
    column += token.size();
  }
  return out;
}

std::string rfc5322_date(int64_t unix_seconds) {
  static const std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

MimeMessage build_mime(const Mail& mail, int64_t unix_seconds, const std::string& unique) {
  if (mail.from.empty()) throw MailError("field 'from' (address) expected");
  if (mail.to.empty() && mail.cc.empty() && mail.bcc.empty())
    throw MailError("no recipient: give 'to', 'cc' or 'bcc'");
  if (!mail.text && !mail.html) throw MailError("field 'text' or 'html' (string) expected");
  MimeMessage out;
  out.envelope_from = mailbox_address(mail.from, "from");
  std::set<std::string> seen;
  auto add_recipients = [&](const std::vector<std::string>& list, const char* field) {
    for (const auto& mailbox : list) {
      std::string address = mailbox_address(mailbox, field);
      if (seen.insert(address).second) out.recipients.push_back(address);
    }
  };
  add_recipients(mail.to, "to");
  add_recipients(mail.cc, "cc");
  add_recipients(mail.bcc, "bcc");
  out.message_id = "<" + unique + "@" + out.envelope_from.substr(out.envelope_from.rfind('@') + 1) + ">";

  std::string& data = out.data;
  data = "Date: " + rfc5322_date(unix_seconds) + "\r\n";
  data += address_header("From", {mail.from}, "from");
  if (!mail.to.empty()) data += address_header("To", mail.to, "to");
  if (!mail.cc.empty()) data += address_header("Cc", mail.cc, "cc");
  if (!mail.reply_to.empty()) data += address_header("Reply-To", mail.reply_to, "reply_to");
  if (mail.subject) {
    check_value(*mail.subject, "subject");
    data += text_header("Subject", *mail.subject);
  }
  data += "Message-ID: " + out.message_id + "\r\n";
  for (const auto& [name, value] : mail.headers) {
    check_header_name(name);
    check_value(value, "headers." + name);
    data += text_header(name, value);
  }
  data += "MIME-Version: 1.0\r\n";
  for (const auto* body : {&mail.text, &mail.html})
    if (*body && !engine::valid_utf8(**body))
      throw MailError(std::string("field '") + (body == &mail.text ? "text" : "html") + "' is " +
                      engine::describe_invalid_utf8(**body, engine::invalid_utf8_at(**body)));
  if (mail.text && mail.html) {
    // "=_" never occurs in quoted-printable text, so the parts cannot hold the boundary.
    std::string boundary = "=_weft_" + unique;
    data += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    data += "--" + boundary + "\r\n" + part_headers("plain") + "\r\n" + quoted_printable(*mail.text) + "\r\n";
    data += "--" + boundary + "\r\n" + part_headers("html") + "\r\n" + quoted_printable(*mail.html) + "\r\n";
    data += "--" + boundary + "--\r\n";
  } else {
    data += part_headers(mail.text ? "plain" : "html") + "\r\n";
    data += quoted_printable(mail.text ? *mail.text : *mail.html) + "\r\n";
  }
  return out;
}

}  // namespace weft::stdlib
