#include "registry/http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace registry::http {

namespace {

using common::ErrorCode;

// The distribution-spec allows only its own codes in a 4xx error body ("The code field MUST
// be one of ..."). The generic kinds that can reach a client here keep their HTTP status and
// are named by the nearest spec code.
std::string_view oci_code(ErrorCode code, std::string_view name) {
  switch (code) {
    case ErrorCode::kNotFound:         // a /v2/ path that addresses no endpoint
    case ErrorCode::kInvalidArgument:  // a malformed query parameter
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
      return "UNSUPPORTED";
    case ErrorCode::kUnauthenticated:
      return "UNAUTHORIZED";
    case ErrorCode::kTimeout:  // the client sent less body than it declared, then stalled
      return "SIZE_INVALID";
    default:
      return name;
  }
}

}  // namespace

common::http::Response error_response(const common::Error& error) {
  const auto& info = common::info(error.code());
  nlohmann::json entry = {{"code", oci_code(error.code(), info.name)},
                          {"message", error.message().empty() ? info.message : error.message()}};
  // Server-side failures carry file paths and library messages in their detail: those stay
  // in the server's log, not in the response.
  common::http::Response response(info.http_status);
  if (info.http_status >= 500) {
    response.diagnostic = error.message() + ": " + error.detail();
  } else if (!error.detail().empty()) {
    entry["detail"] = error.detail();
  }
  response.set("Content-Type", "application/json");
  // Bytes from a client (a bad name, say) may not be UTF-8: replace rather than throw.
  response.body = nlohmann::json{{"errors", nlohmann::json::array({entry})}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace registry::http
