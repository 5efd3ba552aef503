#include "registry/http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace registry::http {

common::http::Response error_response(const common::Error& error) {
  const auto& info = common::info(error.code());
  const bool server_side = info.http_status >= 500;
  // Server-side failures carry file paths and library messages: those stay in the server's
  // log, and the client gets the code's default message only.
  const bool own_message = !server_side && !error.message().empty();
  nlohmann::json entry = {{"code", info.oci_name},
                          {"message", own_message ? error.message() : std::string(info.message)}};
  common::http::Response response(info.http_status);
  if (server_side) {
    response.diagnostic = error.message() + ": " + error.detail();
  } else if (!error.detail().empty()) {
    entry["detail"] = error.detail();
  }
  // Load shedding (429, 503): tell the client when to come back rather than let it spin.
  if (info.http_status == 429 || info.http_status == 503) response.set("Retry-After", "1");
  response.set("Content-Type", "application/json");
  // Bytes from a client (a bad name, say) may not be UTF-8: replace rather than throw.
  response.body = nlohmann::json{{"errors", nlohmann::json::array({entry})}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace registry::http
