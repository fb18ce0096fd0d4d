// Metrics of weft.http requests, for GET /metrics: requests by host and
// outcome (status code, or an error kind such as "timeout") and their
// durations by host.
#pragma once
#include <string>

namespace weft::stdlib {

extern const char* const kHttpRequestsMetric;  // "weft_http_client_requests_total"

void record_http_request(const std::string& host, const std::string& outcome, double seconds);

// The host (and port) of a URL, for labels: "api.example.com:8443".
std::string url_host(const std::string& url);

}  // namespace weft::stdlib
