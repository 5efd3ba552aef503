#include "satellite/agent/artifact_tracker.hpp"

#include <algorithm>
#include <set>

namespace satellite::agent {

using common::fleet_wire::ArtifactPhase;

ArtifactTracker::ArtifactTracker(RetryPolicy policy, std::function<double()> uniform)
    : policy_(policy), uniform_(std::move(uniform)), random_(std::random_device{}()) {}

bool ArtifactTracker::due(const Key& key, SteadyTime now) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  return it == entries_.end() || it->second.phase != ArtifactPhase::kFailed ||
         it->second.retry_at <= now;
}

void ArtifactTracker::ensure(const Key& key) {
  std::lock_guard lock(mutex_);
  entries_.try_emplace(key);
}

PullProgress& ArtifactTracker::start_pull(const Key& key) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[key];
  entry.phase = ArtifactPhase::kPulling;
  entry.progress = std::make_unique<PullProgress>();  // the last attempt's count restarts
  return *entry.progress;
}

void ArtifactTracker::mark_present(const Key& key) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[key];
  entry.phase = ArtifactPhase::kPresent;
  entry.reason.clear();
  entry.failures = 0;
}

void ArtifactTracker::set_warning(const Key& key, std::string warning) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[key];
  entry.warning = std::move(warning);
  if (entry.warning.size() > common::fleet_wire::kMaxReasonBytes)
    entry.warning.resize(common::fleet_wire::kMaxReasonBytes);
}

std::chrono::milliseconds ArtifactTracker::mark_failed(const Key& key, std::string reason,
                                                       SteadyTime now) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[key];
  entry.phase = ArtifactPhase::kFailed;
  entry.reason = std::move(reason);
  if (entry.reason.size() > common::fleet_wire::kMaxReasonBytes)
    entry.reason.resize(common::fleet_wire::kMaxReasonBytes);
  ++entry.failures;
  const double u =
      uniform_ ? uniform_() : std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  const auto delay = retry_delay(policy_, entry.failures, u);
  entry.retry_at = now + delay;
  return delay;
}

void ArtifactTracker::retain_only(const std::vector<Key>& keep) {
  const std::set<Key> wanted(keep.begin(), keep.end());
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const auto& item) { return !wanted.contains(item.first); });
}

std::vector<common::fleet_wire::ArtifactReport> ArtifactTracker::report() const {
  std::lock_guard lock(mutex_);
  std::vector<common::fleet_wire::ArtifactReport> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    common::fleet_wire::ArtifactReport item{
        key.first,   key.second,
        entry.phase, 0,
        0,           entry.phase == ArtifactPhase::kPresent ? entry.warning : entry.reason};
    if (entry.phase == ArtifactPhase::kPulling) {
      item.bytes_done = static_cast<std::int64_t>(entry.progress->bytes_done.load());
      item.bytes_total = static_cast<std::int64_t>(entry.progress->bytes_total.load());
    }
    out.push_back(std::move(item));
  }
  return out;
}

TrackerCounts ArtifactTracker::counts() const {
  std::lock_guard lock(mutex_);
  TrackerCounts out;
  for (const auto& [key, entry] : entries_) {
    switch (entry.phase) {
      case ArtifactPhase::kPresent:
        ++out.present;
        break;
      case ArtifactPhase::kPulling:
        ++out.pulling;
        break;
      case ArtifactPhase::kFailed:
        ++out.failed;
        break;
    }
  }
  return out;
}

std::optional<ArtifactTracker::SteadyTime> ArtifactTracker::next_retry() const {
  std::lock_guard lock(mutex_);
  std::optional<SteadyTime> out;
  for (const auto& [key, entry] : entries_) {
    if (entry.phase == ArtifactPhase::kFailed && (!out || entry.retry_at < *out))
      out = entry.retry_at;
  }
  return out;
}

}  // namespace satellite::agent
