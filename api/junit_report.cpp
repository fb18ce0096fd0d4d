#include "api/junit_report.hpp"

#include <cstdio>
#include <map>

#include "engine/utf8.hpp"

namespace weft::api {
namespace {

// Text for an XML attribute or element: valid UTF-8, markup escaped, and
// control characters XML 1.0 cannot hold dropped.
std::string xml_text(const std::string& raw) {
  std::string out;
  for (unsigned char c : engine::sanitize_utf8(raw)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (c >= 0x20 || c == '\n' || c == '\t') out += static_cast<char>(c);
    }
  }
  return out;
}

std::string seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

}  // namespace

std::string junit_xml(const std::vector<TestResult>& results) {
  std::map<std::string, std::vector<const TestResult*>> by_file;
  for (const auto& result : results) by_file[result.file].push_back(&result);
  int failures = 0;
  double total = 0;
  for (const auto& result : results) {
    failures += result.passed ? 0 : 1;
    total += result.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"weft test\" tests=\"" +
                    std::to_string(results.size()) + "\" failures=\"" + std::to_string(failures) +
                    "\" time=\"" + seconds(total) + "\">\n";
  for (const auto& [file, tests] : by_file) {
    int file_failures = 0;
    double file_time = 0;
    for (const auto* test : tests) {
      file_failures += test->passed ? 0 : 1;
      file_time += test->seconds;
    }
    out += "  <testsuite name=\"" + xml_text(file) + "\" tests=\"" + std::to_string(tests.size()) +
           "\" failures=\"" + std::to_string(file_failures) + "\" time=\"" + seconds(file_time) + "\">\n";
    for (const auto* test : tests) {
      out += "    <testcase classname=\"" + xml_text(file) + "\" name=\"" + xml_text(test->name) + "\" time=\"" +
             seconds(test->seconds) + "\"";
      if (test->passed) {
        out += "/>\n";
      } else {
        std::string first_line = test->failure.substr(0, test->failure.find('\n'));
        out += ">\n      <failure message=\"" + xml_text(first_line) + "\">" + xml_text(test->failure) +
               "</failure>\n    </testcase>\n";
      }
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace weft::api
