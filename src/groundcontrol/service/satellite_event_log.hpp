// SatelliteEventLog: what satellites report over NATS (sync started / completed / failed,
// disk low, certificate expiring; docs/adr/0008) goes into the audit trail as events of the
// Satellite (actor "satellite:<name>", verb the event type), so `GET /api/v1/events`, gcctl
// describe and the web UI show them beside what people did. Blocking (database).
// Thread-safety: any thread.
#pragma once

#include "common/clock.hpp"
#include "common/fleet_wire/command.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/store/event_store.hpp"

namespace groundcontrol::service {

class SatelliteEventLog {
 public:
  SatelliteEventLog(common::sql::Database& db, const common::Clock& clock)
      : db_(db), clock_(clock) {}

  [[nodiscard]] common::Status record(const common::fleet_wire::SatelliteEvent& event);

 private:
  common::sql::Database& db_;
  const common::Clock& clock_;
  store::EventStore events_;
};

}  // namespace groundcontrol::service
