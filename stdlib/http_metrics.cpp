// weft.http request metrics (see http_metrics.hpp).
#include "stdlib/http_metrics.hpp"

#include "engine/metrics.hpp"

namespace weft::stdlib {

const char* const kHttpRequestsMetric = "weft_http_client_requests_total";

namespace {

using engine::MetricFamily;
using engine::MetricKind;

const MetricFamily kRequests{kHttpRequestsMetric,
                             "weft.http requests, by host and outcome (status code or error kind)",
                             MetricKind::Counter};
const MetricFamily kSeconds{"weft_http_client_request_seconds",
                            "weft.http request durations, by host", MetricKind::Histogram,
                            engine::duration_buckets()};

}  // namespace

void record_http_request(const std::string& host, const std::string& outcome, double seconds) {
  auto& metrics = engine::MetricsRegistry::process();
  metrics.add(kRequests, {{"host", host}, {"outcome", outcome}});
  metrics.observe(kSeconds, {{"host", host}}, seconds);
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
