// RegistryStateSource: the satellite's desired state read from the signed state artifacts
// that ground control publishes into the central registry (docs/state-artifacts.md), so
// that a satellite keeps receiving changes while ground control is down. Ground control
// names the registry, its project and the keys to trust in every state it serves over mTLS
// (learn()); this source keeps them in `<dir>/registry-state.json` with what it accepted
// from each repository (version, digest, document), so that after a restart it still
// knows where to look, whom to trust and which versions a rollback would go below.
// Each next():
//   1. the satellite's own state (`<project>/satellite-state/<name>/state`), then the state
//      of each group it names and of its config, each through a RegistryStateReader: a
//      HEAD per repository, a fetch only on change, every signature and version checked;
//   2. a config whose digest differs from the one applied is handed to `on_config`, with
//      the upstream credentials of the config ground control last gave (state artifacts
//      never hold any) when it names the same upstream;
//   3. the state formed from the groups' artifacts (common::fleet_wire::StateComposer, as
//      ground control forms it); returned when its digest differs from `known_digest`,
//      else nullopt after `poll`.
// A refusal (unsigned, signed by no trusted key, a rollback, bytes that do not match their
// digest) is an error naming the repository and why; the round returns no state, so the
// state held stays, and last_refusal() keeps the reason for the satellite's status until a
// round succeeds. The config's digest applied is not kept across restarts: the first round
// after a start applies the config, so the upstream is known with ground control down. The registry
// is read with the upstream credentials when it is the upstream, else anonymously; those
// credentials (a robot's, short-lived) are kept in options.credentials_file, 0600 beside the
// device's private key, so a restart with ground control down still has them. Thread-safety:
// next() from the agent's feed thread; learn(), note_config() and last_refusal() from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/fleet_wire/satellite_config.hpp"
#include "common/fleet_wire/satellite_state.hpp"
#include "common/fleet_wire/state_signature.hpp"
#include "common/log/logger.hpp"
#include "common/oci/registry_client.hpp"
#include "satellite/agent/state_source.hpp"
#include "satellite/fleet/registry_state_reader.hpp"

namespace satellite::fleet {

struct RegistryStateSourceOptions {
  std::string dir;  // holds registry-state.json
  std::chrono::milliseconds poll{std::chrono::minutes(5)};
  std::string ca_file;  // PEM bundle for the registry's TLS certificate; empty: the system's
  // Where the upstream credentials ground control last gave are kept (0600), so that a
  // restart with ground control out of reach still reads private state repositories and
  // pulls; empty: kept in memory only.
  std::string credentials_file;
};

class RegistryStateSource final : public agent::StateSource {
 public:
  using OnConfig = std::function<void(const common::fleet_wire::SatelliteConfig&)>;

  // Reads what an earlier run kept. kCorruption when registry-state.json is not this
  // source's (a damaged file is refused, not silently forgotten: it holds rollback limits).
  // `on_refusal_change` runs (on the feed thread) when last_refusal() changes, so that the
  // satellite reports it.
  [[nodiscard]] static common::Result<std::unique_ptr<RegistryStateSource>> open(
      RegistryStateSourceOptions options, OnConfig on_config,
      std::function<void()> on_refusal_change, const common::Clock& clock,
      common::log::Logger logger);

  // From a state ground control served over mTLS: this satellite's name, where state is
  // published and the keys to trust; kept when they changed. A state without a state
  // registry (ground control does not publish) changes nothing.
  void learn(const common::fleet_wire::SatelliteState& state);
  // The same from an enrollment or renewal answer.
  void learn(const std::string& satellite, const common::fleet_wire::StateRegistry& registry);
  // The config ground control gave over mTLS: its digest is the one applied, and its
  // upstream credentials are used for the registry when it is the upstream.
  void note_config(const common::fleet_wire::SatelliteConfig& config);
  // Registry-only (no ground control): the credentials the registry at `url` is read with,
  // and handed with a config state that names that host as the upstream; no config counts
  // as applied. Before the first next().
  void use_credentials(const std::string& url, const std::string& username,
                       const std::string& password);

  // The upstream URL and credentials the registry is read with when it is the upstream
  // (as ground control last gave them, or an earlier run kept them).
  [[nodiscard]] common::fleet_wire::SatelliteConfig upstream_credentials() const {
    std::lock_guard lock(mutex_);
    return credentials_;
  }

  [[nodiscard]] common::Result<std::optional<common::fleet_wire::SatelliteState>> next(
      const std::string& known_digest, std::stop_token stop) override;
  [[nodiscard]] std::string describe() const override;

  // Why the last refusal refused (unsigned, untrusted, a rollback, altered bytes, not a
  // state artifact); nullopt before any and once a round succeeded. A registry out of
  // reach or refused credentials change nothing here.
  [[nodiscard]] std::optional<std::string> last_refusal() const;

 private:
  struct Accepted {
    AppliedState applied;
    std::string document;  // its JSON text, as published
  };
  RegistryStateSource(RegistryStateSourceOptions options, OnConfig on_config,
                      std::function<void()> on_refusal_change, const common::Clock& clock,
                      common::log::Logger logger)
      : options_(std::move(options)),
        on_config_(std::move(on_config)),
        on_refusal_change_(std::move(on_refusal_change)),
        clock_(clock),
        logger_(std::move(logger)) {}

  // One round: steps 1 to 3 of the header; a config to apply goes into `config`.
  [[nodiscard]] common::Result<common::fleet_wire::SatelliteState> read_round(
      std::optional<common::fleet_wire::SatelliteConfig>& config);
  // The client and keys for the registry now known, rebuilt (with fresh readers) when the
  // registry, its keys or the credentials changed. REQUIRES: mutex_ held.
  [[nodiscard]] common::Status ensure_client();
  // The document of `repository` now: polled, and the accepted one when unchanged.
  [[nodiscard]] common::Result<std::string> read_repository(const std::string& repository,
                                                            StateKind kind, bool& changed);
  [[nodiscard]] common::Status save() const;  // REQUIRES: mutex_ held

  RegistryStateSourceOptions options_;
  OnConfig on_config_;
  std::function<void()> on_refusal_change_;
  const common::Clock& clock_;
  common::log::Logger logger_;

  mutable std::mutex mutex_;  // guards the members below, but refusal_
  std::string satellite_;     // this satellite's name, as ground control calls it
  common::fleet_wire::StateRegistry registry_;
  std::map<std::string, Accepted> accepted_;  // by repository
  std::string applied_config_digest_;
  common::fleet_wire::SatelliteConfig credentials_;  // upstream url, username, password
  mutable std::mutex refusal_mutex_;  // guards refusal_ alone, so reports never wait on I/O
  std::optional<std::string> refusal_;
  // Made by ensure_client(); the readers borrow client_ and trusted_.
  std::string client_key_;  // what client_ and trusted_ were made for
  std::unique_ptr<common::oci::RegistryClient> client_;
  std::optional<common::fleet_wire::TrustedKeys> trusted_;
  std::map<std::string, RegistryStateReader> readers_;
};

}  // namespace satellite::fleet
