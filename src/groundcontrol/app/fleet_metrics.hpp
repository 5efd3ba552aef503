#pragma once

// The families ground control adds to /metrics beyond the per-route ones: the fleet as this
// replica sees it, its database, its TLS listeners, NATS and the periodic jobs. Every sample
// is read at scrape time from the object that owns it, so nothing here holds state of its own
// except the one-second cache of the fleet summary that both "satellites by" families share.

#include <memory>

#include "common/clock.hpp"
#include "common/http/metrics.hpp"
#include "common/result.hpp"

namespace common::http {
class Server;
}
namespace common::sql {
class TimedDatabase;
}
namespace groundcontrol::api {
class SatelliteHandlers;
}
namespace groundcontrol::service {
class FleetHealth;
class FleetSync;
class FleetView;
class PeriodicJobs;
class ReportRecorder;
}  // namespace groundcontrol::service

namespace groundcontrol::app {

class NatsChannel;

// What the families read. Every pointer must outlive the Metrics they are added to; the
// servers are read through the owner's unique_ptr, since they start after the families are
// added (a scrape before then counts zero handshakes). nats may be null (no --nats).
struct FleetMetricSources {
  const common::Clock* clock;
  const service::FleetView* view;
  const api::SatelliteHandlers* satellites;
  const service::ReportRecorder* reports;
  const service::FleetSync* sync;
  const service::FleetHealth* health;
  const service::PeriodicJobs* jobs;
  const common::sql::TimedDatabase* db;
  const NatsChannel* nats;
  const std::unique_ptr<common::http::Server>* management;
  const std::unique_ptr<common::http::Server>* satellite;
};

// Adds the families; fails when a name is already taken.
[[nodiscard]] common::Status add_fleet_metrics(common::http::Metrics& metrics,
                                               const FleetMetricSources& sources);

}  // namespace groundcontrol::app
