// Request framing checks (see request_framing.hpp).
#include "api/request_framing.hpp"

#include <string>

#include <boost/algorithm/string/predicate.hpp>

namespace weft::api {
namespace {

std::string_view trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(" \t") - start + 1);
}

// The codings of every Transfer-Encoding field, in order (empty list
// elements skipped, as RFC 9110 §5.6.1 asks).
std::vector<std::string_view> codings_of(const HeaderFields& fields) {
  std::vector<std::string_view> codings;
  for (const auto& [name, value] : fields) {
    if (!boost::iequals(name, "transfer-encoding")) continue;
    size_t start = 0;
    for (;;) {
      size_t comma = value.find(',', start);
      std::string_view coding = trim(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
      if (!coding.empty()) codings.push_back(coding);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return codings;
}

size_t count_of(const HeaderFields& fields, std::string_view wanted) {
  size_t count = 0;
  for (const auto& field : fields)
    if (boost::iequals(field.first, wanted)) ++count;
  return count;
}

}  // namespace

std::optional<HttpResponse> framing_error(const HeaderFields& fields, unsigned version) {
  size_t hosts = count_of(fields, "host");
  if (hosts > 1) return error_response(400, "bad_host", "the request carries more than one Host header");
  if (hosts == 0 && version >= 11)
    return error_response(400, "bad_host", "an HTTP/1.1 request must carry a Host header");
  bool has_transfer_encoding = count_of(fields, "transfer-encoding") > 0;
  if (!has_transfer_encoding) return std::nullopt;
  if (version < 11)
    return error_response(400, "bad_transfer_encoding", "Transfer-Encoding is not allowed in an HTTP/1.0 request");
  if (count_of(fields, "content-length") > 0)
    return error_response(400, "bad_transfer_encoding",
                          "a request may not carry both Transfer-Encoding and Content-Length");
  auto codings = codings_of(fields);
  if (codings.size() != 1 || !boost::iequals(codings.front(), "chunked"))
    return error_response(400, "bad_transfer_encoding",
                          "the only supported Transfer-Encoding is 'chunked', alone");
  return std::nullopt;
}

}  // namespace weft::api
