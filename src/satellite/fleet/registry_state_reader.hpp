// RegistryStateReader: the satellite's side of the signed state artifacts in the central
// registry (docs/state-artifacts.md): one state repository (a group's, the satellite's own
// or its config's), read instead of or as a fallback to ground control's API. Each poll():
//   1. HEAD `latest`; when it names the digest last accepted, nothing more is fetched
//   2. the manifest by that digest (the client checks its bytes against it), read as a
//      state artifact of the expected kind (artifactType, empty config, one layer, version)
//   3. its signature at `sha256-<hex>.sig`: refused unless one signature is by a trusted
//      key, over this digest, for this registry and repository (TrustedKeys)
//   4. rollback protection: refused when the version is older than the one accepted, or
//      the same version with another digest
//   5. the document (checked against its layer digest), parsed; its version must be the
//      manifest's
// An accepted state becomes applied(): the caller persists it and hands it back at the next
// start, so a restart does not reopen the window for a rollback. Every refusal is an error
// that says why, for the satellite to report to ground control: kPermissionDenied (unsigned,
// signed by no trusted key, signed for other content or another repository), kConflict
// (older version, or the same version with other content), kDigestInvalid (bytes that do not
// match their digest: altered in the registry's storage), kInvalidArgument (not a state
// artifact of this kind, malformed document), or the client's errors (kNotFound when nothing
// is published yet, kPermissionDenied for refused credentials, kUnavailable). A refused
// state leaves applied() as it was, and the next poll checks it again.
// Borrows the client and the keys, which must outlive it; to trust another key set (a
// rotation), make a new reader with the old one's applied(). Thread-safety: one thread at a
// time (poll() updates the reader).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "common/digest.hpp"
#include "common/fleet_wire/state_artifact.hpp"
#include "common/fleet_wire/state_signature.hpp"
#include "common/oci/registry_client.hpp"
#include "common/result.hpp"

namespace satellite::fleet {

enum class StateKind { kGroup, kSatellite, kConfig };

using StateDocument =
    std::variant<common::fleet_wire::GroupState, common::fleet_wire::SatelliteStateRef,
                 common::fleet_wire::ConfigState>;

// The version and digest of the state last accepted from one repository.
struct AppliedState {
  std::uint64_t version = 0;
  common::Digest digest;
};

struct RegistryStateUpdate {
  common::Digest digest;  // the state manifest's
  std::uint64_t version = 0;
  StateDocument document;  // of the reader's kind
};

struct RegistryStateReaderConfig {
  std::string repository;  // "satellite/group-state/<group>/state"
  StateKind kind = StateKind::kGroup;
  // host[:port] the signatures must name; empty: the client's endpoint's.
  std::string registry_host;
  // Most signature layers whose payloads are fetched and checked (cosign appends one per
  // signing); layers beyond are ignored.
  std::size_t max_signatures = 32;
};

class RegistryStateReader {
 public:
  // kInvalidArgument for an invalid repository name or an endpoint URL that gives no host.
  // `applied`: what was accepted before (persisted by the caller), if anything.
  [[nodiscard]] static common::Result<RegistryStateReader> create(
      common::oci::RegistryClient& client, const common::fleet_wire::TrustedKeys& trusted,
      RegistryStateReaderConfig config, std::optional<AppliedState> applied = std::nullopt);

  // The new state when `latest` names one that passes every check (the header's steps);
  // nullopt when it still names the one accepted. Errors as in the header.
  [[nodiscard]] common::Result<std::optional<RegistryStateUpdate>> poll();

  const std::optional<AppliedState>& applied() const noexcept { return applied_; }
  const std::string& repository() const noexcept { return config_.repository; }

 private:
  RegistryStateReader(common::oci::RegistryClient& client,
                      const common::fleet_wire::TrustedKeys& trusted,
                      RegistryStateReaderConfig config, std::string identity,
                      std::optional<AppliedState> applied)
      : client_(&client),
        trusted_(&trusted),
        config_(std::move(config)),
        identity_(std::move(identity)),
        applied_(std::move(applied)) {}

  // Step 3 for manifest `digest`.
  [[nodiscard]] common::Status verify_signature(const common::Digest& digest);
  // Step 4.
  [[nodiscard]] common::Status check_rollback(const common::Digest& digest,
                                              std::uint64_t version) const;
  // Step 5's parse of `document`, of the reader's kind; its version.
  [[nodiscard]] common::Result<StateDocument> parse(const std::string& document,
                                                    std::uint64_t& version) const;

  common::oci::RegistryClient* client_;
  const common::fleet_wire::TrustedKeys* trusted_;
  RegistryStateReaderConfig config_;
  std::string identity_;  // HOST/REPOSITORY, as signatures name it
  std::optional<AppliedState> applied_;
};

// The artifactType of a kind's state.
std::string_view artifact_type_of(StateKind kind);

}  // namespace satellite::fleet
