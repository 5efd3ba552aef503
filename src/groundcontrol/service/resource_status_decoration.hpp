// StatusDecoration: what a read of a Satellite or a Group adds to the status stored with
// it, computed at read time rather than stored, because it follows from state that moves
// without a write to the resource (heartbeats, reports, this replica's FleetView, the time).
// Contract:
//  - A Satellite read gains status.heartbeat and status.report (as the satellite last sent
//    them), status.desiredStateDigest, status.groups (as resolved) and status.tagConflicts
//    (tags dropped because two groups give them different digests), from the view,
//    status.connectivity and status.sync (model::health_of at the read's time); a get
//    (StatusDetail::kFull) also every reported artifact and status.drift, a list (kSummary) only
//    the counts.
//  - A Group read gains status.satellites: how many satellites it holds (listed by name or
//    selected by labels), from this replica's view.
//  - Every other member of the stored status is kept; a stored status that is not a JSON
//    object is replaced by one.
// Reads only: nothing here writes to the database or the view.
// Thread-safety: as the view and the stores; every call from any thread.
#pragma once

#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/store/resource_store.hpp"
#include "groundcontrol/store/satellite_report_store.hpp"
#include "groundcontrol/store/satellite_status_store.hpp"

namespace groundcontrol::service {

// How much of a satellite's report a read carries: a list, its counts; a get, every
// artifact and the drift.
enum class StatusDetail { kSummary, kFull };

class StatusDecoration {
 public:
  // Borrows `view` and `clock`, which must outlive it.
  StatusDecoration(const FleetView& view, const common::Clock& clock)
      : view_(view), clock_(clock) {}

  // Adds the satellite's reported status and what follows from it, as of `now_text` (RFC
  // 3339; the clock's time when it does not parse). Errors: the stores' reading `db`.
  [[nodiscard]] common::Status add_reported_status(common::sql::Connection& db,
                                                   store::Resource& satellite,
                                                   const std::string& now_text,
                                                   StatusDetail detail) const;
  // Adds status.satellites to a Group read.
  void add_member_count(store::Resource& group) const;

 private:
  const FleetView& view_;
  const common::Clock& clock_;
  store::SatelliteStatusStore statuses_;
  store::SatelliteReportStore reports_;
};

}  // namespace groundcontrol::service
