// FleetHealth: every satellite's connectivity and sync state at once, from one read of the
// heartbeat and report tables (two scans of three columns, no documents) joined in memory
// with this replica's FleetView (desired digests, groups, labels, intervals). It answers
// the fleet summary and feeds the status roll-up; model::SatelliteHealth is the rule.
// Thread-safety: every call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/model/satellite_health.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/store/satellite_report_store.hpp"
#include "groundcontrol/store/satellite_status_store.hpp"

namespace groundcontrol::service {

// Satellites counted by connectivity and by sync state (indexed by the enums' values).
struct HealthCounts {
  std::int64_t satellites = 0;
  std::array<std::int64_t, std::size(model::kConnectivities)> connectivity{};
  std::array<std::int64_t, std::size(model::kSyncStates)> sync{};

  void add(model::SatelliteHealth health);
};

struct FleetSummary {
  HealthCounts fleet;
  std::map<std::string, HealthCounts, std::less<>> by_group;
  std::string label_key;  // "" when not asked
  // By the value of label_key; satellites without the label under "".
  std::map<std::string, HealthCounts, std::less<>> by_label;
};

class FleetHealth {
 public:
  FleetHealth(common::sql::Database& db, const FleetView& view, const common::Clock& clock)
      : db_(db), view_(view), clock_(clock) {}

  using Visitor =
      std::function<void(const FleetView::SatelliteFacts& satellite, model::SatelliteHealth)>;
  // Calls `visit` for every satellite of the view, in name order, with its health now.
  // `visit` runs under the view's shared lock and must not call back into it.
  [[nodiscard]] common::Status visit(const Visitor& visit) const;

  // Counts for the fleet, each group, and (when `label_key` is set) each value of that label.
  [[nodiscard]] common::Result<FleetSummary> summary(std::string_view label_key) const;

 private:
  common::sql::Database& db_;
  const FleetView& view_;
  const common::Clock& clock_;
  store::SatelliteStatusStore heartbeats_;
  store::SatelliteReportStore reports_;
};

}  // namespace groundcontrol::service
