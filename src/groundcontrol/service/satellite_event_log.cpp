#include "groundcontrol/service/satellite_event_log.hpp"

#include "common/time_format.hpp"

namespace groundcontrol::service {

common::Status SatelliteEventLog::record(const common::fleet_wire::SatelliteEvent& event) {
  const store::Event row{0,
                         common::format_rfc3339(clock_.now()),
                         "satellite:" + event.satellite,
                         std::string(common::fleet_wire::event_type_name(event.type)),
                         "Satellite",
                         event.satellite,
                         event.message};
  return db_.transact(
      [&](common::sql::Connection& db) -> common::Status { return events_.record(db, row); });
}

}  // namespace groundcontrol::service
