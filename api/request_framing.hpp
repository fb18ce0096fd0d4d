// The header checks a request must pass before its body is read, so that
// this server and any proxy in front of it agree on where a request ends
// (RFC 9112 §6.1, §6.3: the request-smuggling pattern) and on its host.
#pragma once
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.hpp"

namespace weft::api {

using HeaderFields = std::vector<std::pair<std::string_view, std::string_view>>;

// nullopt when the framing is sound; else the 400 to answer before the
// connection is closed (what follows the header cannot be trusted to be a
// body or a next request). `version` is 11 for HTTP/1.1, 10 for HTTP/1.0.
// Refused: a Transfer-Encoding other than exactly `chunked` (no other
// coding is supported, and one that does not end in `chunked` leaves the
// body's length unknown), Transfer-Encoding with Content-Length or in an
// HTTP/1.0 request (`bad_transfer_encoding`); an HTTP/1.1 request without
// a Host header, or any request with more than one (`bad_host`).
std::optional<HttpResponse> framing_error(const HeaderFields& fields, unsigned version);

}  // namespace weft::api
