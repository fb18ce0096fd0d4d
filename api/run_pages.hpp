// Listing runs page by page for GET /v1/runs and /v1/dead-letters: the
// query parameters `limit`, `cursor` and `since`, and the page itself,
// newest first. A cursor is opaque to clients: base64url of
// "<created_at>:<id>" of the last run of the previous page.
#pragma once
#include <string>
#include <vector>

#include "api/routes.hpp"

namespace weft::api {

struct RunPage {
  std::vector<engine::Run> runs;
  nlohmann::json next_cursor;  // null on the last page
};

// Reads limit (1..1000, default 100) and cursor from the query, restricts
// `filter` to the caller's tenant, and fetches one page. Throws ApiError
// 400 invalid_limit / invalid_cursor.
RunPage run_page(const RouteCall& call, engine::RunFilter filter);

// `since`: RFC 3339 ("2026-11-22T08:30:00Z", "...T09:30:00.250+01:00") or
// unix milliseconds; ms since the epoch. Throws ApiError 400 invalid_since.
int64_t parse_since(const std::string& text);

std::string encode_cursor(const engine::Run& run);

}  // namespace weft::api
