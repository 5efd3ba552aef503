// GroundControlSource: the agent's desired state from ground control. Each next():
//   1. trust: ground control's CA from the identity dir; at first start from --ca-file, or
//      from the server's chain when it matches --ca-fingerprint (never trust on first use);
//   2. enrollment: without a certificate, the one-time token trades the device's CSR for
//      one (kept 0600 in the identity dir; later starts reuse it); or, without a token, an
//      enrollment request under --enrollment-name that an admin approves (polled);
//      with an external identity (DeviceIdentity::use_external: SPIRE's SVID files) no
//      enrollment: the files are presented, and the client is made again when they change;
//   3. renewal once two thirds of the certificate's life have passed (not of an external
//      certificate: its issuer renews it);
//   4. the long-poll: GET /satellite/v1/state with If-None-Match, held up to `wait`;
//   5. when the state names another config digest, GET /satellite/v1/config, handed to
//      `on_config` before the state is returned, so the state is applied with its config;
//      also halfway to the expiry of the upstream credentials it carries (a robot secret
//      ground control made for this satellite), for fresh ones; and when a
//      refresh.credentials command asked for it (refresh_credentials()). Each fetch names
//      the robot credentials held, so ground control makes a new secret only when one is
//      due (a config change keeps them); a refresh names none, for a new secret at once;
//   6. with a ServingCertificateKeeper: its names from each config, and a serving
//      certificate asked for when due (after a config and before each long-poll); its
//      failure is logged and retried, never the feed's error.
// Any error (unreachable, revoked: "ask an admin for a new token") is returned; the agent
// logs it, keeps serving what it holds and asks again with back-off.
// Thread-safety: next() from the agent's feed thread; client() and refresh_credentials()
// from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/fleet_wire/satellite_config.hpp"
#include "common/log/logger.hpp"
#include "satellite/agent/state_source.hpp"
#include "satellite/fleet/device_identity.hpp"
#include "satellite/fleet/ground_control_client.hpp"
#include "satellite/fleet/pass_request.hpp"
#include "satellite/fleet/serving_certificate_keeper.hpp"

namespace satellite::fleet {

struct GroundControlOptions {
  std::string url;    // the satellite API, https://HOST:PORT
  std::string token;  // one-time enrollment token (first start)
  // Without a token: the name to ask to join as (an admin approves), and its labels.
  std::string request_name;
  std::vector<std::pair<std::string, std::string>> request_labels;
  std::string ca_file;         // ground control's CA bundle (first start)
  std::string ca_fingerprint;  // or its CA's fingerprint, "sha256:…"
  std::chrono::seconds wait{60};
};

class GroundControlSource final : public agent::StateSource {
 public:
  // Borrows the identity and the clock.
  GroundControlSource(GroundControlOptions options, DeviceIdentity& identity,
                      std::function<void(const common::fleet_wire::SatelliteConfig&)> on_config,
                      const common::Clock& clock, common::log::Logger logger);

  [[nodiscard]] common::Result<std::optional<common::fleet_wire::SatelliteState>> next(
      const std::string& known_digest, std::stop_token stop) override;
  [[nodiscard]] std::string describe() const override { return "ground control " + options_.url; }

  // Keeps `keeper` (borrowed) in step with the config; `installed` runs on the feed thread
  // after each new certificate. Before the agent starts.
  void keep_serving_certificate(ServingCertificateKeeper& keeper,
                                ServingCertificateKeeper::Installed installed);

  // Runs (on the feed thread) with each enrollment and renewal answer, which names where
  // signed state is published and the keys to trust. Before the agent starts.
  void on_enrollment(std::function<void(const Enrollment&)> hook) {
    on_enrollment_ = std::move(hook);
  }

  // A refresh.credentials command: asks the feed's next pass to fetch the config again
  // (fresh upstream credentials) and waits for it (PassRequest). Any thread.
  [[nodiscard]] common::Status refresh_credentials(const std::function<void()>& working,
                                                   std::stop_token stop) {
    return refresh_.ask(working, PassRequestTiming{}, std::move(stop));
  }

  // The current client (null until enrolled), for heartbeats and status reports.
  [[nodiscard]] std::shared_ptr<GroundControlClient> client() const;
  // The last config applied ("" none), so the heartbeat can say what it runs with.
  [[nodiscard]] std::string config_digest() const;

 private:
  [[nodiscard]] common::Status ensure_trust();
  [[nodiscard]] common::Status ensure_enrolled();
  [[nodiscard]] common::Status renew_if_due();
  // Asks once, then polls the request; the enrollment once approved.
  [[nodiscard]] common::Result<Enrollment> enroll_by_request(const std::string& csr);
  [[nodiscard]] common::Status remake_client();
  // Fetches the config (naming the credentials held, unless `fresh_credentials`) and hands
  // it to on_config, with the held password when ground control kept them.
  [[nodiscard]] common::Status apply_config(bool fresh_credentials = false);
  // Asks for a serving certificate when the keeper says it is due; logs a failure.
  void maintain_serving_certificate();

  GroundControlOptions options_;
  DeviceIdentity& identity_;
  std::function<void(const common::fleet_wire::SatelliteConfig&)> on_config_;
  const common::Clock& clock_;
  common::log::Logger logger_;
  std::string etag_;
  std::function<void(const Enrollment&)> on_enrollment_;
  // When the config is asked for again for fresh upstream credentials (nullopt: never).
  std::optional<std::chrono::system_clock::time_point> credentials_due_;
  // The upstream credentials the last config gave (none: no username), kept in memory
  // only: a restart asks for new ones.
  struct HeldCredentials {
    std::string username, password, expires_at;
  };
  std::optional<HeldCredentials> held_;
  bool requested_ = false;  // the enrollment request is posted
  PassRequest refresh_;     // refresh.credentials commands waiting for a pass
  ServingCertificateKeeper* serving_ = nullptr;
  ServingCertificateKeeper::Installed serving_installed_;
  mutable std::mutex mutex_;  // guards client_ and config_digest_
  std::shared_ptr<GroundControlClient> client_;
  std::string config_digest_;
  std::string external_stamp_;  // of the external identity files the client presents
};

}  // namespace satellite::fleet
