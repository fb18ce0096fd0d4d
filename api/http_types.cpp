// Building responses and error bodies (see http_types.hpp).
#include "api/http_types.hpp"

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

}  // namespace weft::api
