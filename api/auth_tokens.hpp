// API bearer tokens and the tenant each is scoped to. One syntax for both
// sources: an entry is `TOKEN` (sees every tenant) or `TOKEN tenant=NAME`.
// WEFT_API_TOKENS holds entries separated by commas; a --tokens-file holds
// one entry per line; blank lines and comments (from a `#` at the start of
// a line or after a blank to the end of the line) are ignored.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace weft::api {

struct ApiToken {
  std::string token;
  std::string tenant;  // empty: every tenant
};

// Throws std::invalid_argument naming the problem (never the token).
ApiToken parse_token_entry(std::string_view entry);
std::vector<ApiToken> parse_token_list(std::string_view comma_separated);
std::vector<ApiToken> parse_token_file(std::string_view text);

}  // namespace weft::api
