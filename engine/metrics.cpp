// Process-wide metrics (see metrics.hpp).
#include "engine/metrics.hpp"

#include <cmath>
#include <cstdio>

#include "engine/utf8.hpp"

namespace weft::engine {
namespace {

std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return std::to_string(static_cast<int64_t>(value));
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// A label value in the text format: valid UTF-8, with backslash, double
// quote and line feed escaped.
std::string escaped(const std::string& raw) {
  std::string value = sanitize_utf8(raw);
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

const char* kind_name(MetricKind kind) {
  switch (kind) {
    case MetricKind::Counter: return "counter";
    case MetricKind::Gauge: return "gauge";
    case MetricKind::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::vector<double> duration_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

void PrometheusText::family(const MetricFamily& family) {
  text_ += std::string("# HELP ") + family.name + " " + family.help + "\n";
  text_ += std::string("# TYPE ") + family.name + " " + kind_name(family.kind) + "\n";
}

void PrometheusText::sample(const std::string& name, const MetricLabels& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) text_ += ',';
      text_ += labels[i].first + "=\"" + escaped(labels[i].second) + "\"";
    }
    text_ += '}';
  }
  text_ += " " + number(value) + "\n";
}

MetricsRegistry& MetricsRegistry::process() {
  static MetricsRegistry registry;
  return registry;
}

MetricsRegistry::Family& MetricsRegistry::family(const MetricFamily& declared) {
  auto [it, fresh] = families_.try_emplace(declared.name);
  if (fresh) it->second.declared = &declared;
  return it->second;
}

MetricLabels MetricsRegistry::capped(Family& family, const MetricLabels& labels) {
  const LabelCap& cap = family.declared->cap;
  if (cap.label == nullptr) return labels;
  const std::string* value = nullptr;
  const std::string* per = nullptr;
  for (const auto& [name, v] : labels) {
    if (name == cap.label) value = &v;
    if (name == cap.per) per = &v;
  }
  if (value == nullptr) return labels;
  auto& seen = family.admitted[per ? *per : std::string()];
  if (seen.count(*value) || (seen.size() < cap.limit && seen.insert(*value).second)) return labels;
  MetricLabels out = labels;
  for (auto& [name, v] : out)
    if (name == cap.label) v = kOtherLabelValue;
  return out;
}

void MetricsRegistry::add(const MetricFamily& declared, const MetricLabels& labels, double by) {
  std::lock_guard lock(mutex_);
  Family& f = family(declared);
  f.values[capped(f, labels)] += by;
}

void MetricsRegistry::observe(const MetricFamily& declared, const MetricLabels& labels, double value) {
  std::lock_guard lock(mutex_);
  Family& f = family(declared);
  Histogram& h = f.histograms[capped(f, labels)];
  if (h.counts.empty()) h.counts.assign(declared.buckets.size() + 1, 0);
  size_t bucket = 0;
  while (bucket < declared.buckets.size() && value > declared.buckets[bucket]) ++bucket;
  ++h.counts[bucket];
  h.sum += value;
  ++h.count;
}

void MetricsRegistry::write(PrometheusText& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    out.family(*family.declared);
    for (const auto& [labels, value] : family.values) out.sample(name, labels, value);
    for (const auto& [labels, h] : family.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        MetricLabels with_le = labels;
        double bound = i < family.declared->buckets.size() ? family.declared->buckets[i] : INFINITY;
        with_le.emplace_back("le", number(bound));
        out.sample(name + "_bucket", with_le, static_cast<double>(cumulative));
      }
      out.sample(name + "_sum", labels, h.sum);
      out.sample(name + "_count", labels, static_cast<double>(h.count));
    }
  }
}

double MetricsRegistry::value(const std::string& name, const MetricLabels& labels) const {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  if (auto it = family->second.values.find(labels); it != family->second.values.end()) return it->second;
  if (auto it = family->second.histograms.find(labels); it != family->second.histograms.end())
    return static_cast<double>(it->second.count);
  return 0;
}

}  // namespace weft::engine
