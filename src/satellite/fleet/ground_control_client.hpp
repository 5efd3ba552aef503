// GroundControlClient: the satellite's side of ground control's satellite API, over one
// HttpClient with the device's client certificate (mTLS) and ground control's CA as the
// only trust. Enrollment is the one call made without a certificate. Ground control's
// answers become errors a person can act on: a 401 on an mTLS call means the satellite is
// revoked or unknown ("… ask an admin for a new token"), a refused token says so, other
// errors carry ground control's own message. Make a new client after the certificate
// files change (renewal): libcurl reads them per connection.
// Thread-safety: every call from any thread (each blocks its thread).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fleet_wire/heartbeat.hpp"
#include "common/fleet_wire/nats_credentials.hpp"
#include "common/fleet_wire/satellite_config.hpp"
#include "common/fleet_wire/satellite_state.hpp"
#include "common/fleet_wire/status_report.hpp"
#include "common/http/http_client.hpp"
#include "common/result.hpp"
#include "satellite/fleet/device_identity.hpp"

namespace satellite::fleet {

struct Enrollment {
  std::string satellite;        // the name ground control knows it by
  std::string certificate_pem;  // for the device's key
  std::string ca_bundle_pem;    // what to trust ground control by from now on
  // Where signed state is published and the keys to trust (empty url: nowhere).
  common::fleet_wire::StateRegistry state_registry;
};

// Where an enrollment request stands.
struct EnrollmentRequestStatus {
  std::string phase;      // "Pending", "Approved", "Denied"
  std::string reason;     // the admin's, when decided
  Enrollment enrollment;  // when approved
};

// One answer of the state long-poll.
struct StateAnswer {
  std::optional<common::fleet_wire::SatelliteState> state;  // nullopt: not modified
  std::string etag;
  std::chrono::seconds poll_after{0};  // ground control's jittered advice
};

class GroundControlClient {
 public:
  // `url` is the satellite API, https://HOST:PORT. Uses the identity's certificate when it
  // is enrolled. A request fails with kTimeout after `longest_wait` (the longest long-poll
  // it will ask for) plus 30 s. Errors: HttpClient::create's.
  [[nodiscard]] static common::Result<std::unique_ptr<GroundControlClient>> create(
      std::string url, const DeviceIdentity& identity,
      std::chrono::seconds longest_wait = std::chrono::seconds(60));

  // POST /satellite/v1/enroll. kUnauthenticated "the enrollment token was refused …".
  [[nodiscard]] common::Result<Enrollment> enroll(const std::string& token,
                                                  const std::string& csr_pem);
  // POST /satellite/v1/enrollmentrequests: a device without a token asks to join as
  // `name` with `labels` (an admin approves or denies it). A repeated request is answered.
  [[nodiscard]] common::Status request_enrollment(
      const std::string& name, const std::string& csr_pem,
      const std::vector<std::pair<std::string, std::string>>& labels);
  // GET /satellite/v1/enrollmentrequests/NAME: its phase, and the certificate once approved.
  [[nodiscard]] common::Result<EnrollmentRequestStatus> enrollment_request_status(
      const std::string& name);
  // POST /satellite/v1/renew with the current certificate.
  [[nodiscard]] common::Result<Enrollment> renew(const std::string& csr_pem);
  // POST /satellite/v1/servingcertificate: a server certificate for the registry, for the
  // key in `csr_pem` and the names the satellite's config lists. kConflict when it lists none.
  [[nodiscard]] common::Result<Enrollment> serving_certificate(const std::string& csr_pem);
  // GET /satellite/v1/state, conditional on `etag` and held up to `wait` for a change.
  [[nodiscard]] common::Result<StateAnswer> get_state(const std::string& etag,
                                                      std::chrono::seconds wait,
                                                      std::stop_token stop);
  // GET /satellite/v1/config. `held_username` and `held_expire_at` name the robot
  // credentials the satellite holds ("": none), which ground control then keeps unless new
  // ones are due (the answer's upstream_credentials_unchanged).
  [[nodiscard]] common::Result<common::fleet_wire::SatelliteConfig> get_config(
      std::string_view held_username = {}, std::string_view held_expire_at = {});
  [[nodiscard]] common::Result<common::fleet_wire::HeartbeatAnswer> heartbeat(
      const common::fleet_wire::Heartbeat& beat);
  [[nodiscard]] common::Status report_status(const common::fleet_wire::StatusReport& report);
  // POST /satellite/v1/nats/credentials: a user JWT for the device's NATS key `public_key`.
  // kUnavailable while ground control's NATS is down, kNotFound when it has no NATS channel.
  [[nodiscard]] common::Result<common::fleet_wire::NatsCredentials> nats_credentials(
      std::string_view public_key);

 private:
  GroundControlClient(std::string url, std::unique_ptr<common::http::HttpClient> http,
                      bool with_certificate)
      : url_(std::move(url)), http_(std::move(http)), with_certificate_(with_certificate) {}
  [[nodiscard]] common::Result<common::http::ClientResponse> send(
      std::string method, std::string path, std::optional<std::string> body,
      std::vector<std::pair<std::string, std::string>> headers = {}, std::stop_token stop = {});
  // The error for a non-2xx answer.
  [[nodiscard]] common::Error error_of(const common::http::ClientResponse& response,
                                       std::string_view what) const;

  std::string url_;
  std::unique_ptr<common::http::HttpClient> http_;
  bool with_certificate_;
};

}  // namespace satellite::fleet
