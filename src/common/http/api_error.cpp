#include "common/http/api_error.hpp"

#include <nlohmann/json.hpp>

namespace common::http {

Response api_error_response(const Error& error) {
  const auto& info = common::info(error.code());
  const bool server_side = info.http_status >= 500;
  const bool own_message = !server_side && !error.message().empty();
  Response response(info.http_status);
  if (server_side) {
    response.diagnostic = error.message();
    if (!error.detail().empty()) response.diagnostic += ": " + error.detail();
  }
  if (info.http_status == 429 || info.http_status == 503) response.set("Retry-After", "1");
  response.set("Content-Type", "application/json");
  const nlohmann::json body = {
      {"error",
       {{"code", info.name},
        {"message", own_message ? error.message() : std::string(info.message)}}}};
  // A message may quote client bytes that are not UTF-8: replace rather than throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace common::http
