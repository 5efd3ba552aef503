#include "satellite/fleet/ground_control_client.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/http/percent_encoding.hpp"

namespace satellite::fleet {
namespace {

using common::ErrorCode;
using nlohmann::json;

common::Result<Enrollment> read_enrollment(const std::string& body) {
  const auto document = json::parse(body, nullptr, false);
  if (!document.is_object() || !document.value("certificate", json()).is_string() ||
      !document.value("caBundle", json()).is_string())
    return common::fail(ErrorCode::kUnavailable,
                        "ground control's enrollment answer lacks certificate or caBundle");
  Enrollment out{document.value("satellite", ""),
                 document["certificate"].get<std::string>(),
                 document["caBundle"].get<std::string>(),
                 {}};
  // Optional: an older ground control does not send it; a malformed one is ignored (the
  // states served over mTLS name it again).
  if (const auto registry = document.find("stateRegistry"); registry != document.end())
    if (auto read = common::fleet_wire::read_state_registry(*registry))
      out.state_registry = std::move(*read);
  return out;
}

}  // namespace

common::Result<std::unique_ptr<GroundControlClient>> GroundControlClient::create(
    std::string url, const DeviceIdentity& identity, std::chrono::seconds longest_wait) {
  common::http::ClientOptions options;
  options.ca_file = identity.ca_file();
  const bool with_certificate = identity.enrolled();
  if (with_certificate) {
    options.client_cert_file = identity.certificate_file();
    options.client_key_file = identity.key_file();
  }
  // Long-polls are held open on purpose, so no low-speed limit; the per-request timeout
  // (the longest wait plus ground control's time to answer) catches a peer that never does.
  options.low_speed_time = std::chrono::seconds(0);
  options.request_timeout = longest_wait + std::chrono::seconds(30);
  options.max_idle_connections = 2;
  auto http = common::http::HttpClient::create(std::move(options));
  if (!http) return common::fail(http.error());
  while (url.ends_with('/')) url.pop_back();
  return std::unique_ptr<GroundControlClient>(
      new GroundControlClient(std::move(url), std::move(*http), with_certificate));
}

common::Result<common::http::ClientResponse> GroundControlClient::send(
    std::string method, std::string path, std::optional<std::string> body,
    std::vector<std::pair<std::string, std::string>> headers, std::stop_token stop) {
  common::http::ClientRequest request;
  request.method = std::move(method);
  request.url = url_ + path;
  request.headers = std::move(headers);
  if (body) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
  }
  request.stop = std::move(stop);
  return http_->request(request);
}

common::Error GroundControlClient::error_of(const common::http::ClientResponse& response,
                                            std::string_view what) const {
  std::string message;
  const auto document = json::parse(response.body, nullptr, false);
  if (document.is_object() && document.contains("error") && document["error"].is_object())
    message = document["error"].value("message", "");
  if (response.status == 401 && with_certificate_)
    return {ErrorCode::kUnauthenticated,
            fmt::format("{}: ground control does not accept this satellite's certificate ({}): "
                        "it is revoked or unknown; ask an admin for a new token",
                        what, message)};
  if (response.status == 401)
    return {ErrorCode::kUnauthenticated,
            fmt::format("{}: the enrollment token was refused ({}); ask an admin for a new one",
                        what, message)};
  const auto code = response.status == 404   ? ErrorCode::kNotFound
                    : response.status == 403 ? ErrorCode::kPermissionDenied
                    : response.status == 409 ? ErrorCode::kConflict
                    : response.status == 400 ? ErrorCode::kInvalidArgument
                                             : ErrorCode::kUnavailable;
  return {code, fmt::format("{}: ground control answered {}{}", what, response.status,
                            message.empty() ? "" : ": " + message)};
}

common::Result<Enrollment> GroundControlClient::enroll(const std::string& token,
                                                       const std::string& csr_pem) {
  auto response =
      send("POST", "/satellite/v1/enroll", json{{"token", token}, {"csr", csr_pem}}.dump());
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "enrollment"));
  return read_enrollment(response->body);
}

common::Status GroundControlClient::request_enrollment(
    const std::string& name, const std::string& csr_pem,
    const std::vector<std::pair<std::string, std::string>>& labels) {
  json body = {{"name", name}, {"csr", csr_pem}};
  if (!labels.empty()) {
    json map = json::object();
    for (const auto& [key, value] : labels) map[key] = value;
    body["labels"] = std::move(map);
  }
  auto response = send("POST", "/satellite/v1/enrollmentrequests", body.dump());
  if (!response) return common::fail(response.error());
  if (response->status != 201 && response->status != 200)
    return common::fail(error_of(*response, "enrollment request"));
  return {};
}

common::Result<EnrollmentRequestStatus> GroundControlClient::enrollment_request_status(
    const std::string& name) {
  auto response = send("GET", "/satellite/v1/enrollmentrequests/" + name, std::nullopt);
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "enrollment request"));
  const auto document = json::parse(response->body, nullptr, false);
  if (!document.is_object() || !document.value("status", json()).is_object())
    return common::fail(ErrorCode::kUnavailable, "enrollment request: an answer without status");
  const auto& status = document["status"];
  EnrollmentRequestStatus out{status.value("phase", ""), "", {}};
  if (const auto approval = status.find("approval");
      approval != status.end() && approval->is_object())
    out.reason = approval->value("reason", "");
  if (out.phase == "Approved")
    out.enrollment = {name, status.value("certificate", ""), status.value("ca", "")};
  return out;
}

common::Result<Enrollment> GroundControlClient::renew(const std::string& csr_pem) {
  auto response = send("POST", "/satellite/v1/renew", json{{"csr", csr_pem}}.dump());
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "certificate renewal"));
  return read_enrollment(response->body);
}

common::Result<Enrollment> GroundControlClient::serving_certificate(const std::string& csr_pem) {
  auto response = send("POST", "/satellite/v1/servingcertificate", json{{"csr", csr_pem}}.dump());
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "serving certificate"));
  return read_enrollment(response->body);
}

common::Result<StateAnswer> GroundControlClient::get_state(const std::string& etag,
                                                           std::chrono::seconds wait,
                                                           std::stop_token stop) {
  std::string path = "/satellite/v1/state";
  std::vector<std::pair<std::string, std::string>> headers;
  if (!etag.empty()) {
    headers.emplace_back("If-None-Match", etag);
    if (wait.count() > 0) path += fmt::format("?wait={}", wait.count());
  }
  auto response = send("GET", std::move(path), std::nullopt, std::move(headers), std::move(stop));
  if (!response) return common::fail(response.error());
  StateAnswer answer;
  answer.etag = response->headers.get("ETag").value_or("");
  const auto after = response->headers.get("X-Poll-After").value_or("");
  std::int64_t seconds = 0;
  std::from_chars(after.data(), after.data() + after.size(), seconds);
  answer.poll_after = std::chrono::seconds(seconds);
  if (response->status == 304) return answer;
  if (response->status != 200) return common::fail(error_of(*response, "desired state"));
  auto state = common::fleet_wire::parse_satellite_state(response->body);
  if (!state) return common::fail(state.error());
  answer.state = std::move(*state);
  return answer;
}

common::Result<common::fleet_wire::SatelliteConfig> GroundControlClient::get_config(
    std::string_view held_username, std::string_view held_expire_at) {
  std::string path = "/satellite/v1/config";
  if (!held_username.empty()) {
    path += "?heldUsername=" + common::http::percent_encode(held_username);
    if (!held_expire_at.empty())
      path += "&heldExpireAt=" + common::http::percent_encode(held_expire_at);
  }
  auto response = send("GET", path, std::nullopt);
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "config"));
  return common::fleet_wire::parse_satellite_config(response->body);
}

common::Result<common::fleet_wire::HeartbeatAnswer> GroundControlClient::heartbeat(
    const common::fleet_wire::Heartbeat& beat) {
  auto response = send("POST", "/satellite/v1/heartbeat", common::fleet_wire::to_json(beat));
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "heartbeat"));
  return common::fleet_wire::parse_heartbeat_answer(response->body);
}

common::Status GroundControlClient::report_status(const common::fleet_wire::StatusReport& report) {
  auto response = send("POST", "/satellite/v1/status", common::fleet_wire::to_json(report));
  if (!response) return common::fail(response.error());
  if (response->status != 202 && response->status != 200)
    return common::fail(error_of(*response, "status report"));
  return {};
}

common::Result<common::fleet_wire::NatsCredentials> GroundControlClient::nats_credentials(
    std::string_view public_key) {
  auto response = send("POST", "/satellite/v1/nats/credentials",
                       common::fleet_wire::to_json(
                           common::fleet_wire::NatsCredentialsRequest{std::string(public_key)}));
  if (!response) return common::fail(response.error());
  if (response->status != 200) return common::fail(error_of(*response, "NATS credentials"));
  return common::fleet_wire::parse_nats_credentials(response->body);
}

}  // namespace satellite::fleet
