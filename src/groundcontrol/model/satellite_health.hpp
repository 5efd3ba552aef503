// SatelliteHealth: how a satellite stands, derived from what it reported against what it
// should hold, one rule for every reader (a Satellite's status, the fleet summary, the
// connectivity roll-up):
//  - connectivity from the age of its last heartbeat against its interval: online within 2
//    intervals, stale within 5, offline after (or never seen);
//  - sync from the desired digest against the applied digest of its heartbeat and its last
//    status report: in-sync when either says the desired state is applied; failed or
//    syncing when a report about the desired state has failures, or pulls in flight or
//    fewer artifacts present than it lists;
//    out-of-sync when it reported about another state; unknown when it never reported.
// Pure functions of their inputs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace groundcontrol::model {

enum class Connectivity { kOnline, kStale, kOffline };
enum class SyncState { kUnknown, kInSync, kSyncing, kOutOfSync, kFailed };

inline constexpr Connectivity kConnectivities[] = {Connectivity::kOnline, Connectivity::kStale,
                                                   Connectivity::kOffline};
inline constexpr SyncState kSyncStates[] = {SyncState::kUnknown, SyncState::kInSync,
                                            SyncState::kSyncing, SyncState::kOutOfSync,
                                            SyncState::kFailed};

[[nodiscard]] std::string_view name_of(Connectivity connectivity) noexcept;  // "online", …
[[nodiscard]] std::string_view name_of(SyncState sync) noexcept;             // "in-sync", …

// The counts of a status report, by artifact phase, and the state it was about.
struct ReportedProgress {
  std::string state_digest;
  std::int64_t present = 0;
  std::int64_t pulling = 0;
  std::int64_t failed = 0;
};

struct HealthInputs {
  std::optional<std::chrono::system_clock::time_point> heartbeat_at;  // none: never beat
  std::string applied_digest;                                         // of the last heartbeat
  std::optional<ReportedProgress> report;                             // none: never reported
};

struct SatelliteHealth {
  Connectivity connectivity = Connectivity::kOffline;
  SyncState sync = SyncState::kUnknown;

  friend bool operator==(const SatelliteHealth&, const SatelliteHealth&) = default;
};

[[nodiscard]] Connectivity connectivity_of(
    std::optional<std::chrono::system_clock::time_point> heartbeat_at,
    std::chrono::system_clock::time_point now, std::chrono::seconds heartbeat_interval) noexcept;

// What a satellite should hold: the digest of its desired state and how many artifacts
// that lists.
struct DesiredSummary {
  std::string_view digest;
  std::size_t artifacts = 0;
};

[[nodiscard]] SyncState sync_of(DesiredSummary desired, const HealthInputs& inputs) noexcept;

[[nodiscard]] SatelliteHealth health_of(DesiredSummary desired, const HealthInputs& inputs,
                                        std::chrono::system_clock::time_point now,
                                        std::chrono::seconds heartbeat_interval) noexcept;

}  // namespace groundcontrol::model
