// The metrics registry as a Prometheus scraper reads it: counters by
// labels, cumulative histogram buckets with _sum and _count, escaping.
#include <catch2/catch.hpp>

#include "engine/metrics.hpp"

using weft::engine::MetricFamily;
using weft::engine::MetricKind;
using weft::engine::MetricsRegistry;
using weft::engine::PrometheusText;

namespace {

const MetricFamily kDeliveries{"test_deliveries_total", "Deliveries by route", MetricKind::Counter};
const MetricFamily kLatency{"test_latency_seconds", "Latency", MetricKind::Histogram, {0.1, 1}};

}  // namespace

TEST_CASE("counters add up by label values and are written with HELP and TYPE", "[metrics]") {
  MetricsRegistry registry;
  registry.add(kDeliveries, {{"route", "/hooks/a"}});
  registry.add(kDeliveries, {{"route", "/hooks/a"}});
  registry.add(kDeliveries, {{"route", "/hooks/b"}}, 5);
  CHECK(registry.value("test_deliveries_total", {{"route", "/hooks/a"}}) == 2);
  CHECK(registry.value("test_deliveries_total", {{"route", "/hooks/c"}}) == 0);
  PrometheusText out;
  registry.write(out);
  CHECK(out.text() ==
        "# HELP test_deliveries_total Deliveries by route\n"
        "# TYPE test_deliveries_total counter\n"
        "test_deliveries_total{route=\"/hooks/a\"} 2\n"
        "test_deliveries_total{route=\"/hooks/b\"} 5\n");
}

TEST_CASE("histograms write cumulative buckets, +Inf, sum and count", "[metrics]") {
  MetricsRegistry registry;
  for (double v : {0.05, 0.1, 0.5, 3.0}) registry.observe(kLatency, {{"step", "push"}}, v);
  PrometheusText out;
  registry.write(out);
  CHECK(out.text() ==
        "# HELP test_latency_seconds Latency\n"
        "# TYPE test_latency_seconds histogram\n"
        "test_latency_seconds_bucket{step=\"push\",le=\"0.1\"} 2\n"
        "test_latency_seconds_bucket{step=\"push\",le=\"1\"} 3\n"
        "test_latency_seconds_bucket{step=\"push\",le=\"+Inf\"} 4\n"
        "test_latency_seconds_sum{step=\"push\"} 3.65\n"
        "test_latency_seconds_count{step=\"push\"} 4\n");
  CHECK(registry.value("test_latency_seconds", {{"step", "push"}}) == 4);
}

TEST_CASE("label values are escaped", "[metrics]") {
  PrometheusText out;
  out.sample("x", {{"name", "a\"b\\c\nd"}}, 1);
  CHECK(out.text() == "x{name=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("issue 10: capped labels count past the cap as \"other\", per value of another label",
          "[metrics][issue10]") {
  const MetricFamily capped{"test_steps_total", "Steps", MetricKind::Counter, {},
                            {"step", "workflow", 3}};
  MetricsRegistry registry;
  for (int i = 0; i < 10; ++i) registry.add(capped, {{"workflow", "a"}, {"step", "s" + std::to_string(i)}});
  registry.add(capped, {{"workflow", "a"}, {"step", "s1"}});  // admitted before: keeps its name
  registry.add(capped, {{"workflow", "b"}, {"step", "s9"}});  // another workflow, its own cap
  CHECK(registry.value("test_steps_total", {{"workflow", "a"}, {"step", "s1"}}) == 2);
  CHECK(registry.value("test_steps_total", {{"workflow", "a"}, {"step", "other"}}) == 7);
  CHECK(registry.value("test_steps_total", {{"workflow", "a"}, {"step", "s5"}}) == 0);
  CHECK(registry.value("test_steps_total", {{"workflow", "b"}, {"step", "s9"}}) == 1);
}

TEST_CASE("issue 10: label values are written as valid, escaped UTF-8", "[metrics][issue10]") {
  PrometheusText out;
  out.sample("m", {{"step", "bad\xff" "byte \"q\" \\ \n"}}, 1);
  CHECK(out.text() == "m{step=\"bad\xEF\xBF\xBD" "byte \\\"q\\\" \\\\ \\n\"} 1\n");
}
