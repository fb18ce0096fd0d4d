// Counts of HTTP client requests by host and outcome (status code, or an
// error kind such as "timeout"), for the server's metrics.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace weft::stdlib {

class HttpMetrics {
 public:
  static HttpMetrics& process();  // one registry per process

  void count(const std::string& host, const std::string& outcome);
  // (host, outcome) -> requests
  std::map<std::pair<std::string, std::string>, uint64_t> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;
};

// The host (and port) of a URL, for labels: "api.example.com:8443".
std::string url_host(const std::string& url);

}  // namespace weft::stdlib
