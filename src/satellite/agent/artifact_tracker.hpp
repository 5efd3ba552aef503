// ArtifactTracker: the sync state of every desired artifact, each on its own (one failing
// image never holds back the others): present (with a warning, if any), pulling with bytes
// done, or failed with a reason and the time of its next attempt, retried with capped
// exponential back-off and full jitter. What the status report and /metrics show. Thread-safety:
// every call is safe from any thread (the sync workers write, the reporter reads).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/digest.hpp"
#include "common/fleet_wire/status_report.hpp"
#include "satellite/agent/pull_function.hpp"
#include "satellite/agent/retry_delay.hpp"

namespace satellite::agent {

struct TrackerCounts {
  std::size_t present = 0;
  std::size_t pulling = 0;
  std::size_t failed = 0;
};

class ArtifactTracker {
 public:
  using Key = std::pair<std::string, common::Digest>;  // (repository, digest)
  using SteadyTime = std::chrono::steady_clock::time_point;
  // `uniform` returns a number in [0, 1) for the jitter (a seeded generator in production,
  // a fixed value in tests).
  explicit ArtifactTracker(RetryPolicy policy, std::function<double()> uniform = {});

  // True unless the artifact failed and its retry time has not come.
  [[nodiscard]] bool due(const Key& key, SteadyTime now) const;
  // Lists a desired artifact not tried yet (shown as pulling with no bytes).
  void ensure(const Key& key);
  // Marks it pulling and returns the progress the pull updates (valid until the next call
  // for this key, or forget()).
  PullProgress& start_pull(const Key& key);
  void mark_present(const Key& key);
  // Records why a stored artifact is served although its signature did not verify (a warn
  // policy), shown as its reason while it is present; "" clears it.
  void set_warning(const Key& key, std::string warning);
  // Records the failure and schedules the next attempt; returns the delay chosen.
  std::chrono::milliseconds mark_failed(const Key& key, std::string reason, SteadyTime now);
  // Drops every artifact not in `keep` (it left the desired state).
  void retain_only(const std::vector<Key>& keep);

  // The per-artifact status, sorted by (repository, digest).
  [[nodiscard]] std::vector<common::fleet_wire::ArtifactReport> report() const;
  [[nodiscard]] TrackerCounts counts() const;
  // The earliest retry time of a failed artifact, if any (when the next pass is worth it).
  [[nodiscard]] std::optional<SteadyTime> next_retry() const;

 private:
  struct Entry {
    common::fleet_wire::ArtifactPhase phase = common::fleet_wire::ArtifactPhase::kPulling;
    std::unique_ptr<PullProgress> progress = std::make_unique<PullProgress>();
    std::string reason;   // why it failed
    std::string warning;  // why it is served with a complaint (set_warning)
    unsigned failures = 0;
    SteadyTime retry_at{};
  };
  RetryPolicy policy_;
  std::function<double()> uniform_;
  mutable std::mutex mutex_;
  std::mt19937_64 random_;  // guarded by mutex_; used when no `uniform` is given
  std::map<Key, Entry> entries_;
};

}  // namespace satellite::agent
