#include "groundcontrol/model/satellite_health.hpp"

namespace groundcontrol::model {

std::string_view name_of(Connectivity connectivity) noexcept {
  switch (connectivity) {
    case Connectivity::kOnline:
      return "online";
    case Connectivity::kStale:
      return "stale";
    case Connectivity::kOffline:
      return "offline";
  }
  return "offline";
}

std::string_view name_of(SyncState sync) noexcept {
  switch (sync) {
    case SyncState::kUnknown:
      return "unknown";
    case SyncState::kInSync:
      return "in-sync";
    case SyncState::kSyncing:
      return "syncing";
    case SyncState::kOutOfSync:
      return "out-of-sync";
    case SyncState::kFailed:
      return "failed";
  }
  return "unknown";
}

Connectivity connectivity_of(std::optional<std::chrono::system_clock::time_point> heartbeat_at,
                             std::chrono::system_clock::time_point now,
                             std::chrono::seconds heartbeat_interval) noexcept {
  if (!heartbeat_at) return Connectivity::kOffline;
  // A heartbeat stamped ahead of this replica's clock (another replica's skew) is fresh.
  const auto age = now - *heartbeat_at;
  if (age <= 2 * heartbeat_interval) return Connectivity::kOnline;
  if (age <= 5 * heartbeat_interval) return Connectivity::kStale;
  return Connectivity::kOffline;
}

SyncState sync_of(DesiredSummary desired, const HealthInputs& inputs) noexcept {
  if (!inputs.heartbeat_at && !inputs.report) return SyncState::kUnknown;
  if (!desired.digest.empty() && inputs.applied_digest == desired.digest) return SyncState::kInSync;
  if (inputs.report && !desired.digest.empty() && inputs.report->state_digest == desired.digest) {
    const auto& report = *inputs.report;
    if (report.failed > 0) return SyncState::kFailed;
    if (report.pulling > 0 || report.present < static_cast<std::int64_t>(desired.artifacts))
      return SyncState::kSyncing;
    // Everything it should hold is present: applied, even before its heartbeat says so.
    return SyncState::kInSync;
  }
  return SyncState::kOutOfSync;
}

SatelliteHealth health_of(DesiredSummary desired, const HealthInputs& inputs,
                          std::chrono::system_clock::time_point now,
                          std::chrono::seconds heartbeat_interval) noexcept {
  return {connectivity_of(inputs.heartbeat_at, now, heartbeat_interval), sync_of(desired, inputs)};
}

}  // namespace groundcontrol::model
