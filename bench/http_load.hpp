// A small HTTP/1.1 load generator for the server benchmarks: a number of
// keep-alive connections on one Asio thread, each sending the next
// request as soon as the previous answer arrived, until every request has
// been answered. Records each request's latency and status.
//
// Requests are serialised to bytes before the clock starts (as wrk does
// with its pre-built requests): the generator shares the machine's cores
// with the server, and what it spends building and signing requests
// during the load would be taken from the server being measured.
#pragma once
#include <chrono>
#include <cstdint>
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

// The request as bytes on the wire (keep-alive, JSON content type).
std::string serialize(const LoadRequest& request);

struct LoadResult {
  double seconds = 0;
  std::vector<double> latencies_ms;  // one per answered request
  std::map<int, int> statuses;        // status -> count; 0 = transport error
  double per_second() const { return seconds > 0 ? latencies_ms.size() / seconds : 0; }
  double percentile(double p) const;  // p in [0, 100]
};

// Sends every one of `requests` (each from serialize()) once.
LoadResult run_load(unsigned short port, int connections, const std::vector<std::string>& requests);

}  // namespace weft::bench
