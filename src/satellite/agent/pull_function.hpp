// PullFunction: how the reconciler has one artifact copied from upstream into the local
// registry (the replication engine in production, a fake in the reconciler's unit tests).
// It returns when the artifact is stored and verified, fails with a reason a person
// understands, or stops early when `stop` is requested (what it fetched stays for resume).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace satellite::agent {

struct PullJob {
  std::string repository;              // upstream repository path; stored under the same name
  common::Digest digest;               // what to hold; the reconciler sets the tags
  std::vector<std::string> platforms;  // "os/arch[/variant]"; empty: the whole index
};

// Read by the status reporter while the pull runs.
struct PullProgress {
  std::atomic<std::uint64_t> bytes_done{0};
  std::atomic<std::uint64_t> bytes_total{0};  // grows as manifests are read
};

struct PulledArtifact {
  common::Digest stored;            // == job.digest unless an index was filtered
  bool platforms_filtered = false;  // an index rewritten to the platforms asked for
  std::uint64_t bytes_fetched = 0;
};

using PullFunction = std::function<common::Result<PulledArtifact>(
    const PullJob& job, PullProgress& progress, std::stop_token stop)>;

}  // namespace satellite::agent
