// Process-wide metrics for GET /metrics: counters and histograms by
// label values, written in the Prometheus text exposition format.
//
// Design: a family (name, help, kind, buckets) is declared once as a
// constant beside the code that records it; recording takes one mutex and
// a map lookup, cheap next to a durable commit. Values that are states
// rather than events (runs by status, timers pending) are not kept here:
// the metrics route reads them from the store at scrape time.
//
// Series stay bounded: a family may cap the distinct values of a label
// that workflow code chooses (step names) per value of another label (the
// workflow); values past the cap are counted under "other". Label values
// are written as valid UTF-8 (invalid bytes become U+FFFD) and escaped as
// the text format requires, so no value can break a scrape.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace weft::engine {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricKind { Counter, Gauge, Histogram };

// At most `limit` distinct values of label `label` for each value of label
// `per`; the first `limit` seen keep their name, later ones become "other".
struct LabelCap {
  const char* label = nullptr;  // nullptr: no cap
  const char* per = "";
  size_t limit = 0;
};

// The value that label values past a LabelCap are counted under.
inline constexpr const char* kOtherLabelValue = "other";

struct MetricFamily {
  const char* name;
  const char* help;
  MetricKind kind;
  std::vector<double> buckets = {};  // histograms: upper bounds, ascending
  LabelCap cap = {};
};

// Buckets for durations in seconds, 1 ms to 60 s.
std::vector<double> duration_buckets();

// Writes families and samples in the text format, escaping label values.
class PrometheusText {
 public:
  void family(const MetricFamily& family);
  void sample(const std::string& name, const MetricLabels& labels, double value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class MetricsRegistry {
 public:
  static MetricsRegistry& process();  // the one the server exposes

  void add(const MetricFamily& family, const MetricLabels& labels, double by = 1);
  void observe(const MetricFamily& family, const MetricLabels& labels, double value);
  // Every family recorded so far, in name order.
  void write(PrometheusText& out) const;
  // A counter's value, or a histogram's count (0 when never recorded).
  double value(const std::string& name, const MetricLabels& labels) const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; last = +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    const MetricFamily* declared;
    std::map<MetricLabels, double> values;         // counters
    std::map<MetricLabels, Histogram> histograms;  // histograms
    std::map<std::string, std::set<std::string>> admitted;  // per value -> capped label values
  };
  Family& family(const MetricFamily& declared);
  // `labels` with the capped label replaced by "other" past the cap.
  static MetricLabels capped(Family& family, const MetricLabels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace weft::engine
