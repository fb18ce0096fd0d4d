// The limits of JSON request bodies of the REST API, stricter than the
// process-wide ones of engine/json_limits.hpp (which does the parsing):
// valid UTF-8 and arrays/objects nested at most kMaxRequestJsonDepth deep.
#pragma once
#include "engine/json_limits.hpp"
#include "engine/utf8.hpp"

namespace weft::api {

constexpr int kMaxRequestJsonDepth = 64;

}  // namespace weft::api
