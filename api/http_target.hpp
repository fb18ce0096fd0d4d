// Request targets: splitting "/path?query" into percent-decoded path
// segments and query parameters, and the one normalised path that routing
// and auth both decide on (see parse_target).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::api {

struct Target {
  std::string path;                           // normalised: "/" + the segments joined by "/"
  std::vector<std::string> segments;          // decoded, empty ones dropped
  std::map<std::string, std::string> query;   // decoded; the last repeat wins
};

// Normalises once: `//` collapses, a trailing `/` goes, segments are
// percent-decoded, so "/metrics/", "//metrics" and "/%6detrics" are all
// the path "/metrics". nullopt (and `why`, when given, says which) for a
// target that is not an absolute path, a malformed percent escape, or a
// `.` or `..` segment, raw or encoded: those are refused, never resolved.
std::optional<Target> parse_target(std::string_view target, std::string* why = nullptr);

}  // namespace weft::api
