// Request targets and their normalisation (see http_target.hpp).
#include "api/http_target.hpp"

#include "engine/percent_encoding.hpp"

namespace weft::api {
namespace {

constexpr engine::PercentDecoding kForm{.plus_is_space = true};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

std::optional<Target> parse_target(std::string_view target, std::string* why) {
  auto refuse = [why](const char* message) -> std::optional<Target> {
    if (why) *why = message;
    return std::nullopt;
  };
  Target out;
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (raw_path.empty() || raw_path.front() != '/') return refuse("the request target must be a path starting with '/'");
  for (auto segment : split(raw_path, '/')) {
    if (segment.empty()) continue;
    auto decoded = engine::percent_decode(segment);
    if (!decoded) return refuse("malformed percent escape in the target");
    if (*decoded == "." || *decoded == "..") return refuse("'.' and '..' segments are not allowed in the path");
    out.path += "/" + *decoded;
    out.segments.push_back(std::move(*decoded));
  }
  if (out.path.empty()) out.path = "/";
  if (question == std::string_view::npos) return out;
  for (auto pair : split(target.substr(question + 1), '&')) {
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    auto key = engine::percent_decode(pair.substr(0, equals), kForm);
    auto value = engine::percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), kForm);
    if (!key || !value) return refuse("malformed percent escape in the target");
    out.query[*key] = *value;
  }
  return out;
}

}  // namespace weft::api
