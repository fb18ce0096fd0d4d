// The curl-multi-over-Asio driver (see curl_multi.hpp).
#include "stdlib/curl_multi.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace weft::stdlib {
namespace {

using boost::asio::posix::stream_descriptor;

// curl's global state is set up once, before any thread uses curl.
void global_init() {
  static const bool done = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!done) throw std::runtime_error("curl_global_init failed");
}

}  // namespace

CurlFailure classify_curl(CURLcode code, const char* detail) {
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
    case CURLE_USE_SSL_FAILED:
      return {"tls", message, false};
    default:
      return {"protocol", message, false};
  }
}

CurlMulti::CurlMulti(boost::asio::io_context& io)
    : io_(io), multi_((global_init(), curl_multi_init())), timer_(io) {
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, socket_callback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, timer_callback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  for (auto& [easy, finished] : transfers_) curl_multi_remove_handle(multi_, easy);
  transfers_.clear();  // the completions own the easy handles: cleaned up after their removal
  for (auto& [fd, socket] : sockets_) socket.descriptor->release();  // curl owns the fds
  sockets_.clear();
  curl_multi_cleanup(multi_);
}

void CurlMulti::add(CURL* easy, Finished finished) {
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    boost::asio::post(io_, [finished = std::move(finished)] { finished(CURLE_FAILED_INIT); });
    return;
  }
  transfers_[easy] = std::move(finished);
}

int CurlMulti::socket_callback(CURL*, curl_socket_t fd, int what, void* self, void*) {
  static_cast<CurlMulti*>(self)->watch(fd, what);
  return 0;
}

int CurlMulti::timer_callback(CURLM*, long timeout_ms, void* self) {
  auto* multi = static_cast<CurlMulti*>(self);
  multi->timer_.cancel();
  if (timeout_ms < 0) return 0;
  multi->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  multi->timer_.async_wait([multi](const boost::system::error_code& error) { multi->on_timeout(error); });
  return 0;
}

void CurlMulti::watch(curl_socket_t fd, int what) {
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

void CurlMulti::arm(curl_socket_t fd) {
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

void CurlMulti::on_ready(curl_socket_t fd, uint64_t generation, int direction,
                         const boost::system::error_code& error) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end() || it->second.generation != generation) return;  // socket gone or reused
  (direction == CURL_CSELECT_IN ? it->second.reading : it->second.writing) = false;
  if (error == boost::asio::error::operation_aborted) return;
  drive(fd, error ? CURL_CSELECT_ERR : direction);
  auto again = sockets_.find(fd);
  if (again != sockets_.end() && again->second.generation == generation) arm(fd);
}

void CurlMulti::on_timeout(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return;
  drive(CURL_SOCKET_TIMEOUT, 0);
}

void CurlMulti::drive(curl_socket_t fd, int event_bitmask) {
  curl_multi_socket_action(multi_, fd, event_bitmask, &running_);
  collect_finished();
}

void CurlMulti::collect_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    CURLcode code = message->data.result;
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;
    Finished finished = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    finished(code);
  }
}

}  // namespace weft::stdlib
