// The test client and server process (see serve_process.hpp).
#include "tests/support/serve_process.hpp"

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace weft::testing {
namespace {

size_t collect_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t collect_header(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

}  // namespace

HttpReply http_request(const std::string& method, const std::string& url, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  if (!headers.count("Content-Type")) list = curl_slist_append(list, "Content-Type: application/json");
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

ServeProcess::ServeProcess(const std::filesystem::path& workflows, const std::filesystem::path& db,
                           std::vector<std::string> extra_args, std::map<std::string, std::string> env) {
  std::vector<std::string> args{WEFT_BINARY, "serve", "--listen", "127.0.0.1:0", "--workflows",
                                workflows.string(), "--db", db.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(args, env);
  const std::string banner = "weft serving on http://127.0.0.1:";
  for (int attempt = 0; attempt < 1000 && port_ == 0; ++attempt) {
    std::string out = process_->output_so_far();
    auto at = out.find(banner);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos)
      port_ = static_cast<unsigned short>(std::stoi(out.substr(at + banner.size())));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port_ == 0) throw std::runtime_error("weft serve did not start: " + process_->wait(std::chrono::seconds(1)).err);
}

std::string ServeProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

ProcessResult ServeProcess::terminate() {
  ::kill(process_->pid(), SIGTERM);
  return process_->wait(std::chrono::seconds(30));
}

}  // namespace weft::testing
