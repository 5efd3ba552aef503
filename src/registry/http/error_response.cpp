#include "registry/http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace registry::http {

common::http::Response error_response(const common::Error& error) {
  const auto& info = common::info(error.code());
  nlohmann::json entry = {{"code", info.name},
                          {"message", error.message().empty() ? info.message : error.message()}};
  if (!error.detail().empty()) entry["detail"] = error.detail();
  common::http::Response response(info.http_status);
  response.set("Content-Type", "application/json");
  // Bytes from a client (a bad name, say) may not be UTF-8: replace rather than throw.
  response.body = nlohmann::json{{"errors", nlohmann::json::array({entry})}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace registry::http
