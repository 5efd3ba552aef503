// StatePublisher: pushes rendered state artifacts (common/fleet_wire/state_manifest.hpp)
// into a central registry and signs them, so that satellites can take their desired state
// from there while ground control is down (docs/state-artifacts.md). One publish() runs:
//   1. refuse a version older than the newest `v<N>` tag there (versions only grow), or
//      the same version with other content; the same version and content again is a no-op
//      that repairs whatever a failed run left out
//   2. the blobs (the empty config `{}`, the document), then the manifest as `v<version>`
//   3. the cosign signature of the manifest's digest, appended to what the signature tag
//      `sha256-<hex>.sig` already holds (skipped when this key's signature is there)
//   4. the manifest as `latest`: moved only once signed, so a satellite never sees an
//      unsigned `latest`
//   5. pruning: the `v<N>` manifests beyond the `keep_versions` newest are deleted with
//      their signatures. Pruning never fails a publish: what it cannot do (a registry
//      without deletes, such as distribution without storage.delete.enabled) becomes a
//      warning in the result.
// retire() removes a state that left the fleet (a deleted group, satellite or config).
// Borrows the client and the key, which must outlive it. Thread-safety: publish() from any
// thread, but one call at a time per repository (the caller serialises per state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/cosign_key.hpp"
#include "common/digest.hpp"
#include "common/fleet_wire/state_manifest.hpp"
#include "common/oci/registry_client.hpp"
#include "common/result.hpp"

namespace groundcontrol::registry {

struct StatePublisherConfig {
  // How many `v<N>` versions stay in each state repository (the newest); at least 1.
  std::size_t keep_versions = 10;
  // host[:port] that signatures name (their docker-reference); empty: the client's
  // endpoint's. Set it when satellites reach the registry by another name than ground
  // control does, since they check the identity against the name they use.
  std::string registry_host;
};

struct PublishedState {
  std::string repository;
  common::Digest manifest_digest;
  std::uint64_t version = 0;
  bool signed_now = false;            // false: this key's signature was already there
  std::vector<std::uint64_t> pruned;  // versions deleted, oldest first
  std::vector<std::string> warnings;  // what pruning could not do, one line each
};

class StatePublisher {
 public:
  // kInvalidArgument when keep_versions is 0 or the endpoint's URL gives no host.
  [[nodiscard]] static common::Result<StatePublisher> create(common::oci::RegistryClient& client,
                                                             const common::crypto::CosignKey& key,
                                                             StatePublisherConfig config);

  // Publishes `state` into `repository` (steps in the header). kConflict for a version
  // older than the newest there, or the same version with other content; kInvalidArgument
  // for a bad repository name or version 0; the client's errors (kPermissionDenied, kUnavailable,
  // …) naming the step. After a failure, publishing the same state again completes it.
  [[nodiscard]] common::Result<PublishedState> publish(
      std::string_view repository, const common::fleet_wire::RenderedState& state);
  // Deletes the state in `repository`: `latest` first (a satellite then finds no state
  // rather than a stale one, and keeps what it holds), then every `v<N>` and signature
  // (`sha256-<hex>.sig`) manifest; other tags stay. Returns how many manifests it deleted (0
  // when the repository is gone already). kUnsupported when the registry allows no deletes;
  // the client's errors naming the tag otherwise. Running it again finishes what failed.
  [[nodiscard]] common::Result<std::size_t> retire(std::string_view repository);

 private:
  StatePublisher(common::oci::RegistryClient& client, const common::crypto::CosignKey& key,
                 StatePublisherConfig config, std::string host)
      : client_(&client), key_(&key), config_(std::move(config)), host_(std::move(host)) {}

  // Step 1: the newest version there, checked against `state`.
  [[nodiscard]] common::Status check_version(std::string_view repository,
                                             const common::fleet_wire::RenderedState& state,
                                             const std::vector<std::uint64_t>& versions);
  // Step 3; true when a signature was added.
  [[nodiscard]] common::Result<bool> sign(std::string_view repository,
                                          const common::Digest& digest);
  // Step 5, into `out`.
  void prune(std::string_view repository, std::vector<std::uint64_t> versions, PublishedState& out);

  common::oci::RegistryClient* client_;
  const common::crypto::CosignKey* key_;
  StatePublisherConfig config_;
  std::string host_;
};

// The `v<N>` tag of version N, and the version a tag names (nullopt for other tags).
std::string version_tag(std::uint64_t version);
std::optional<std::uint64_t> version_of_tag(std::string_view tag);

}  // namespace groundcontrol::registry
