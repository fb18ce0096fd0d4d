// HTTP client request counts (see http_metrics.hpp).
#include "stdlib/http_metrics.hpp"

namespace weft::stdlib {

HttpMetrics& HttpMetrics::process() {
  static HttpMetrics metrics;
  return metrics;
}

void HttpMetrics::count(const std::string& host, const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++counts_[{host, outcome}];
}

std::map<std::pair<std::string, std::string>, uint64_t> HttpMetrics::snapshot() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::string url_host(const std::string& url) {
  auto scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  auto at = authority.rfind('@');  // never keep credentials in a label
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

}  // namespace weft::stdlib
