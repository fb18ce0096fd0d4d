// A small HTTP/1.1 load generator for the server benchmarks: a number of
// keep-alive connections on one Asio thread, each sending the next
// request as soon as the previous answer arrived, until `total` requests
// have been answered. Records each request's latency and status.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace weft::bench {

struct LoadRequest {
  std::string method = "POST";
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
};

struct LoadResult {
  double seconds = 0;
  std::vector<double> latencies_ms;  // one per answered request
  std::map<int, int> statuses;        // status -> count; 0 = transport error
  double per_second() const { return seconds > 0 ? latencies_ms.size() / seconds : 0; }
  double percentile(double p) const;  // p in [0, 100]
};

// `make(i)` builds the i-th request (0-based, unique per request).
LoadResult run_load(unsigned short port, int connections, int total,
                    const std::function<LoadRequest(int)>& make);

}  // namespace weft::bench
