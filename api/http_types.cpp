// Building responses and error bodies (see http_types.hpp).
#include "api/http_types.hpp"

#include <cctype>

namespace weft::api {

HttpResponse json_response(int status, nlohmann::json body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse storage_unavailable_response() {
  auto response = error_response(503, "storage_unavailable",
                                 "the storage cannot be written (disk full or I/O error); retry later");
  response.headers["Retry-After"] = std::to_string(kStorageRetryAfterSeconds);
  return response;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace weft::api
