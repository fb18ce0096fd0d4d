// The SMTP client over curl multi (see smtp_client.hpp). The password
// never leaves this file: it is given to curl, scrubbed from every
// message, and curl's verbose output (which would show AUTH) stays off.
#include "stdlib/smtp_client.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace weft::stdlib {
namespace {

constexpr long kConnectTimeoutMs = 10'000;

// "smtp://host:port": the URL as messages name it (settings refuse credentials in it).
std::string server_label(const std::string& url) { return url.substr(0, url.find('/', url.find("//") + 2)); }

}  // namespace

struct SmtpClient::Transfer {
  CURL* easy = nullptr;
  curl_slist* recipients = nullptr;
  std::string data;
  size_t sent = 0;
  std::string password;
  std::string server;
  // The server's refusal in force, e.g. "451 4.3.0 try later": a later
  // 2xx or 3xx reply clears it (EHLO refused, HELO accepted), except 221,
  // the answer to the QUIT curl sends after a failure.
  std::string refusal;
  char error_text[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    curl_slist_free_all(recipients);
    curl_easy_cleanup(easy);
  }

  static size_t on_read(char* buffer, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t n = std::min(size * count, t->data.size() - t->sent);
    std::memcpy(buffer, t->data.data() + t->sent, n);
    t->sent += n;
    return n;
  }

  // curl hands every server reply line to the header callback.
  static size_t on_reply(char* line, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::string text(line, size * count);
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
    bool coded = text.size() >= 3 && std::all_of(text.begin(), text.begin() + 3, [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    if (!coded) return size * count;
    if (text[0] >= '4') {
      t->refusal = text.substr(0, 200);
    } else if (text.compare(0, 3, "221") != 0) {
      t->refusal.clear();
    }
    return size * count;
  }

  std::string scrubbed(std::string text) const {
    if (password.empty()) return text;
    for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at))
      text.replace(at, password.size(), "[secret]");
    return text;
  }

  EmailOutcome outcome(CURLcode code) const {
    EmailOutcome out;
    if (code == CURLE_OK) {
      out.ok = true;
      return out;
    }
    long reply = refusal.empty() ? 0 : std::stol(refusal.substr(0, 3));
    if (reply >= 400 && reply < 600) {
      bool transient = reply < 500;
      out.kind = transient ? "smtp_transient" : "smtp_rejected";
      out.message = server + " answered " + scrubbed(refusal);
      out.retryable = transient;
      out.reply_code = reply;
      return out;
    }
    CurlFailure failure = classify_curl(code, error_text);
    out.kind = failure.kind;
    out.retryable = failure.retryable;
    out.message = server + ": " +
                  (code == CURLE_USE_SSL_FAILED
                       ? std::string("the server offers no STARTTLS, which [email] requires "
                                     "(starttls = false allows plain SMTP, for a trusted local server only)")
                       : scrubbed(failure.message));
    return out;
  }
};

void SmtpClient::send(const OutgoingEmail& email, Done done) {
  auto fail_now = [&](EmailOutcome outcome) {
    boost::asio::post(multi_.io(), [done = std::move(done), outcome = std::move(outcome)] { done(outcome); });
  };
  auto transfer = std::make_shared<Transfer>();
  transfer->server = server_label(settings_.url);
  if (!settings_.username.empty()) {
    try {
      transfer->password = password_();
    } catch (const std::exception& e) {
      return fail_now({false, "email_config", e.what(), false, 0});
    }
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return fail_now({false, "protocol", "curl_easy_init failed", false, 0});
  transfer->easy = easy;
  Transfer* t = transfer.get();
  t->data = email.message.data;
  for (const auto& recipient : email.message.recipients)
    t->recipients = curl_slist_append(t->recipients, ("<" + recipient + ">").c_str());
  curl_easy_setopt(easy, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(easy, CURLOPT_USE_SSL, settings_.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error_text);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, std::min<long>(kConnectTimeoutMs, settings_.timeout_ms));
  if (!settings_.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, t->password.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, ("<" + email.message.envelope_from + ">").c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, t->recipients);
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Transfer::on_read);
  curl_easy_setopt(easy, CURLOPT_READDATA, t);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t->data.size()));
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_reply);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
  // The completion owns the transfer: its easy handle lives until the multi let it go.
  multi_.add(easy, [transfer, done = std::move(done)](CURLcode code) {
    EmailOutcome outcome = code == CURLE_FAILED_INIT
                               ? EmailOutcome{false, "protocol", "cannot start the send", false, 0}
                               : transfer->outcome(code);
    done(std::move(outcome));
  });
}

}  // namespace weft::stdlib
