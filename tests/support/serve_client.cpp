// weft serve for end-to-end tests (see serve_client.hpp).
#include "tests/support/serve_client.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <array>
#include <boost/asio.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace weft::testing {
namespace {

const std::string kExamples = std::string(WEFT_SOURCE_DIR) + "/examples/";

const char* kWaiter = R"(local weft = require "weft"
return weft.workflow { name = "waiter", run = function(ctx, input)
  local decision = ctx:wait_event("go")
  return { got = decision.value }
end })";

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t collect_header(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t start = line.find_first_not_of(' ', colon + 1);
    size_t end = line.find_last_not_of("\r\n");
    (*static_cast<std::map<std::string, std::string>*>(out))[name] =
        start == std::string::npos || end < start ? "" : line.substr(start, end - start + 1);
  }
  return size * count;
}

}  // namespace

Reply request(const std::string& method, const std::string& url, const std::string& body,
              const std::string& token, const std::vector<std::string>& extra_headers) {
  Reply reply;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  if (!token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  bool typed = false;  // the caller's Content-Type replaces the default
  for (const auto& header : extra_headers) {
    typed |= strncasecmp(header.c_str(), "content-type:", 13) == 0;
    headers = curl_slist_append(headers, header.c_str());
  }
  if (!typed) headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

std::string raw_exchange(unsigned short port, const std::string& bytes) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::address_v4::loopback(), port});
  timeval timeout{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  std::string answer;
  std::array<char, 4096> chunk;
  for (;;) {
    size_t n = socket.read_some(asio::buffer(chunk), ec);
    answer.append(chunk.data(), n);
    if (ec) return answer;
  }
}

Server::Server(ServeOptions options) {
  auto workflows = dir.path() / "workflows";
  std::filesystem::create_directories(workflows);
  std::filesystem::copy_file(kExamples + "hello.lua", workflows / "hello.lua");
  std::ofstream(workflows / "waiter.lua") << kWaiter;
  std::ofstream(workflows / "broken.lua") << "return ) oops\n";
  for (const auto& [name, source] : options.workflows)
    std::ofstream(workflows / (name + ".lua")) << source;
  std::vector<std::string> args{"--workers", "2"};
  args.insert(args.end(), options.args.begin(), options.args.end());
  serve = std::make_unique<ServeProcess>(workflows, db(), args, options.env);
  process = &serve->process();
  port = serve->port();
}

std::string Server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

nlohmann::json Server::await_status(const std::string& id, const std::string& status,
                                    const std::string& token) const {
  nlohmann::json run;
  for (int attempt = 0; attempt < 500; ++attempt) {
    run = request("GET", url("/v1/runs/" + id), "", token).json_body();
    if (run["status"] == status) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return run;
}

}  // namespace weft::testing
