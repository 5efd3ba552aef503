#include "groundcontrol/api/json_response.hpp"

#include <nlohmann/json.hpp>

#include "common/http/api_error.hpp"

namespace groundcontrol::api {

common::http::Response json_response(int status, const nlohmann::json& document) {
  common::http::Response response(status);
  response.set("Content-Type", "application/json");
  // Invalid UTF-8 in stored text would make dump() throw: replace it instead.
  response.body = document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

common::http::Response error_response(const common::Error& error) {
  return common::http::api_error_response(error);
}

}  // namespace groundcontrol::api
