// Reconciler: one pass that brings the local registry to a desired state, writing through
// the registry library. For each desired artifact: present (held, by the digest the agent
// stored it under) or pulled by digest through the PullFunction, several at once, each on
// its own (a failure is recorded with its reason and retried later with back-off; it
// never holds back the others), under the signature policy of its groups (a warn policy's
// complaint stays in the tracker as the artifact's reason); then its tags are set. Artifacts that
// left the desired state are untagged at once and, after the removal grace, their manifests deleted
// so that garbage collection takes their blobs; only what the agent itself placed (OwnedArtifacts)
// is ever untagged or deleted. A pass is idempotent: run again, it does nothing more.
// Thread-safety: run_pass() from one thread at a time; the tracker may be read meanwhile.
#pragma once

#include <chrono>
#include <cstddef>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/fleet_wire/satellite_state.hpp"
#include "common/log/logger.hpp"
#include "registry/registry_service.hpp"
#include "satellite/agent/artifact_tracker.hpp"
#include "satellite/agent/owned_artifacts.hpp"
#include "satellite/agent/pull_function.hpp"

namespace satellite::agent {

struct PassSettings {
  bool pulls_allowed = true;  // false outside the sync window: tags and removals only
  std::chrono::seconds removal_grace{3600};
  std::vector<std::string> platforms;  // empty: indexes kept whole
  unsigned parallel_artifacts = 4;     // artifacts pulled at once
};

struct PassOutcome {
  bool converged = false;    // every desired artifact held with its tags
  std::size_t pulled = 0;    // artifacts stored by this pass
  std::size_t failed = 0;    // pulls that failed in this pass
  std::size_t waiting = 0;   // missing, not tried now (back-off, sync window)
  std::size_t untagged = 0;  // tags removed
  std::size_t removed = 0;   // artifacts whose manifests were deleted
  std::uint64_t bytes_fetched = 0;
  bool gc_needed = false;  // manifests were deleted: their blobs await collection
};

class Reconciler {
 public:
  // Borrows everything; all must outlive the reconciler.
  Reconciler(registry::RegistryService& registry, OwnedArtifacts& owned, ArtifactTracker& tracker,
             PullFunction pull, const common::Clock& clock, common::log::Logger logger);

  // Runs one pass towards `desired`. Errors of the ledger's file (the pass's work is done
  // but could not be recorded) are returned; everything else is per artifact, in the tracker.
  [[nodiscard]] common::Result<PassOutcome> run_pass(
      const common::fleet_wire::SatelliteState& desired, const PassSettings& settings,
      std::stop_token stop);

 private:
  struct PullResult;
  [[nodiscard]] bool held(std::string_view repository, const common::Digest& digest);
  [[nodiscard]] std::vector<PullResult> pull_all(std::vector<PullJob> jobs, unsigned parallel,
                                                 std::stop_token stop);
  void set_tags(OwnedArtifact& entry, const std::vector<std::string>& wanted, PassOutcome& out);
  // Deletes the tag when it still names `stored` (a tag people moved stays theirs).
  bool untag_if_ours(std::string_view repository, const std::string& tag,
                     const common::Digest& stored);
  void remove_manifests(const OwnedArtifact& entry, PassOutcome& out);
  [[nodiscard]] std::vector<common::Digest> children_of(std::string_view repository,
                                                        const common::Digest& digest);
  // A blob of at most kMaxPayloadBytes from this registry (a signature payload).
  [[nodiscard]] common::Result<std::string> read_small_blob(std::string_view repository,
                                                            const common::Digest& digest);
  // Whether held and owned `artifact` may still be served: always, unless its effective
  // signature policy is enforce and its replicated signature (in this registry) is absent
  // or does not verify against the policy's keys (a policy made stricter, keys rotated).
  // Then it is removed as a removal does (remove_manifests) and forgotten, so that it is
  // pulled again, which checks the upstream's signature first. Under warn the same check
  // sets (or clears) the artifact's warning, so it is reported again after a restart and
  // ends once a valid signature is held. Verified (repository, digest, keys) are remembered.
  [[nodiscard]] bool keeps_serving(const common::fleet_wire::StateArtifact& artifact,
                                   const OwnedArtifact& entry,
                                   const common::fleet_wire::SatelliteState& desired,
                                   PassOutcome& out);

  registry::RegistryService& registry_;
  OwnedArtifacts& owned_;
  ArtifactTracker& tracker_;
  PullFunction pull_;
  const common::Clock& clock_;
  common::log::Logger logger_;
  std::set<std::string> verified_;  // "repository@digest|keys" whose signature verified
};

}  // namespace satellite::agent
