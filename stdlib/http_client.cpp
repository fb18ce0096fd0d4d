// The HTTP client over curl multi (see http_client.hpp).
#include "stdlib/http_client.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>

namespace weft::stdlib {
namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

struct HttpClient::Transfer {
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpRequest request;
  HttpResponse response;
  bool too_large = false;
  char error_text[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    curl_slist_free_all(header_list);
    curl_easy_cleanup(easy);
  }

  static size_t on_body(char* data, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t bytes = size * count;
    if (static_cast<int64_t>(t->response.body.size() + bytes) > t->request.max_body_bytes) {
      t->too_large = true;
      return 0;  // aborts the transfer
    }
    t->response.body.append(data, bytes);
    return bytes;
  }

  // One call per header line; a new status line (after a redirect or a
  // 100 Continue) starts the header list afresh.
  static size_t on_header(char* data, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::string line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {
      t->response.headers.clear();
    } else if (auto colon = line.find(':'); colon != std::string::npos) {
      t->response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                       trim(line.substr(colon + 1)));
    }
    return size * count;
  }

  HttpOutcome outcome(CURLcode code) {
    HttpOutcome outcome;
    if (code == CURLE_OK) {
      outcome.ok = true;
      outcome.response = std::move(response);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &outcome.response.status);
    } else if (too_large || code == CURLE_FILESIZE_EXCEEDED) {
      outcome.error = {"too_large", "response body larger than " + std::to_string(request.max_body_bytes) + " bytes",
                       false};
    } else if (code == CURLE_FAILED_INIT) {
      outcome.error = {"protocol", "cannot start the request", false};
    } else {
      CurlFailure failure = classify_curl(code, error_text);
      outcome.error = {failure.kind, failure.message, failure.retryable};
    }
    return outcome;
  }
};

bool retryable_status(long status) { return status == 408 || status == 429 || status >= 500; }

double retry_after_seconds(const std::string& value, int64_t now_unix_seconds) {
  std::string text = trim(value);
  if (text.empty()) return -1;
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::stod(text);
  std::tm tm{};  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
  return std::max<double>(0, static_cast<double>(timegm(&tm) - now_unix_seconds));
}

void HttpClient::start(const HttpRequest& request, Done done) {
  auto transfer = std::make_shared<Transfer>();
  transfer->request = request;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    boost::asio::post(multi_.io(), [done = std::move(done)] {
      HttpOutcome outcome;
      outcome.error = {"protocol", "curl_easy_init failed", false};
      done(std::move(outcome));
    });
    return;
  }
  transfer->easy = easy;
  Transfer* t = transfer.get();
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");  // never file:// and friends
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error_text);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body_bytes));
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.has_body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
    if (request.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  t->header_list = curl_slist_append(t->header_list, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : request.headers)
    t->header_list = curl_slist_append(t->header_list, (name + ": " + value).c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->header_list);
  // The completion owns the transfer: its easy handle lives until the multi let it go.
  multi_.add(easy, [transfer, done = std::move(done)](CURLcode code) { done(transfer->outcome(code)); });
}

}  // namespace weft::stdlib
