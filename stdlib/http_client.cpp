// The curl-multi-over-Asio HTTP client (see http_client.hpp).
#include "stdlib/http_client.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace weft::stdlib {
namespace {

using boost::asio::posix::stream_descriptor;

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
  Done done;
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
};

namespace {

HttpError classify(CURLcode code, const char* detail) {
  std::string message = detail && *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return {"timeout", message, true};
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return {"connect", message, true};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return {"tls", message, false};
    default:
      return {"protocol", message, false};
  }
}

}  // namespace

// curl's global state is set up once, before any thread uses curl.
void HttpClient::global_init() {
  static const bool done = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!done) throw std::runtime_error("curl_global_init failed");
}

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

HttpClient::HttpClient(boost::asio::io_context& io)
    : io_(io), multi_((global_init(), curl_multi_init())), timer_(io) {
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, socket_callback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, timer_callback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

HttpClient::~HttpClient() {
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_, easy);
  transfers_.clear();
  for (auto& [fd, socket] : sockets_) socket.descriptor->release();  // curl owns the fds
  sockets_.clear();
  curl_multi_cleanup(multi_);
}

void HttpClient::fail_now(Done done, HttpError error) {
  boost::asio::post(io_, [done = std::move(done), error = std::move(error)] {
    HttpOutcome outcome;
    outcome.error = error;
    done(std::move(outcome));
  });
}

void HttpClient::start(const HttpRequest& request, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = request;
  transfer->done = std::move(done);
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return fail_now(std::move(transfer->done), {"protocol", "curl_easy_init failed", false});
  transfer->easy = easy;
  Transfer* t = transfer.get();
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");  // never file:// and friends
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
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
  transfers_[easy] = std::move(transfer);
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    Done failed = std::move(transfers_[easy]->done);
    transfers_.erase(easy);
    fail_now(std::move(failed), {"protocol", "cannot start the request", false});
  }
}

int HttpClient::socket_callback(CURL*, curl_socket_t fd, int what, void* self, void*) {
  static_cast<HttpClient*>(self)->watch(fd, what);
  return 0;
}

int HttpClient::timer_callback(CURLM*, long timeout_ms, void* self) {
  auto* client = static_cast<HttpClient*>(self);
  client->timer_.cancel();
  if (timeout_ms < 0) return 0;
  client->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  client->timer_.async_wait([client](const boost::system::error_code& error) { client->on_timeout(error); });
  return 0;
}

void HttpClient::watch(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE) {
    auto it = sockets_.find(fd);
    if (it != sockets_.end()) {
      it->second.descriptor->release();  // stop watching; curl closes the fd
      sockets_.erase(it);
    }
    return;
  }
  Socket& socket = sockets_[fd];
  if (!socket.descriptor) {
    static uint64_t generation = 0;
    socket.descriptor = std::make_unique<stream_descriptor>(io_, fd);
    socket.generation = ++generation;
  }
  socket.wanted = what;
  arm(fd);
}

void HttpClient::arm(curl_socket_t fd) {
  Socket& socket = sockets_.at(fd);
  uint64_t generation = socket.generation;
  if ((socket.wanted & CURL_POLL_IN) && !socket.reading) {
    socket.reading = true;
    socket.descriptor->async_wait(stream_descriptor::wait_read,
                                  [this, fd, generation](const boost::system::error_code& error) {
                                    on_ready(fd, generation, CURL_CSELECT_IN, error);
                                  });
  }
  if ((socket.wanted & CURL_POLL_OUT) && !socket.writing) {
    socket.writing = true;
    socket.descriptor->async_wait(stream_descriptor::wait_write,
                                  [this, fd, generation](const boost::system::error_code& error) {
                                    on_ready(fd, generation, CURL_CSELECT_OUT, error);
                                  });
  }
}

void HttpClient::on_ready(curl_socket_t fd, uint64_t generation, int direction,
                          const boost::system::error_code& error) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end() || it->second.generation != generation) return;  // socket gone or reused
  (direction == CURL_CSELECT_IN ? it->second.reading : it->second.writing) = false;
  if (error == boost::asio::error::operation_aborted) return;
  drive(fd, error ? CURL_CSELECT_ERR : direction);
  auto again = sockets_.find(fd);
  if (again != sockets_.end() && again->second.generation == generation) arm(fd);
}

void HttpClient::on_timeout(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return;
  drive(CURL_SOCKET_TIMEOUT, 0);
}

void HttpClient::drive(curl_socket_t fd, int event_bitmask) {
  curl_multi_socket_action(multi_, fd, event_bitmask, &running_);
  collect_finished();
}

void HttpClient::collect_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    CURLcode code = message->data.result;
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    HttpOutcome outcome;
    if (code == CURLE_OK) {
      outcome.ok = true;
      outcome.response = std::move(transfer->response);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &outcome.response.status);
    } else if (transfer->too_large || code == CURLE_FILESIZE_EXCEEDED) {
      outcome.error = {"too_large",
                       "response body larger than " +
                           std::to_string(transfer->request.max_body_bytes) + " bytes",
                       false};
    } else {
      outcome.error = classify(code, transfer->error_text);
    }
    Done done = std::move(transfer->done);
    transfer.reset();
    done(std::move(outcome));
  }
}

}  // namespace weft::stdlib
