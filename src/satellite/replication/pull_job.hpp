// PullJob and PulledArtifact: what the replication engine is asked to copy and what it
// reports back; the agent's reconciler speaks the same types. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/digest.hpp"
#include "common/fleet_wire/signature_policy.hpp"

namespace satellite::replication {

struct PullJob {
  std::string repository;              // upstream repository path; stored under the same name
  common::Digest digest;               // what to hold; tags are set by the caller
  std::vector<std::string> platforms;  // "os/arch[/variant]"; empty: the whole index
  // The cosign signature the image must carry (its groups' effective policy); off: none
  // checked, the signature still copied when the upstream has one.
  common::fleet_wire::SignaturePolicy signature_policy;
};

struct PulledArtifact {
  common::Digest stored;            // == job.digest unless the index was filtered
  bool platforms_filtered = false;  // an index rewritten to the platforms asked for
  std::uint64_t bytes_fetched = 0;  // bytes this pull took from upstream
  // Under a warn policy: why the image was stored although its signature did not verify
  // ("" when it did, or no check was asked for).
  std::string signature_warning;
};

}  // namespace satellite::replication
