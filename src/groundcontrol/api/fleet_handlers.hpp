// FleetHandlers: how the fleet stands, at a glance (viewer and admin):
//   GET /api/v1/fleet/summary[?labelKey=site]  satellites counted by connectivity and sync
//       state, for the whole fleet, for each group, and for each value of one label
//   GET /api/v1/satellites/{name}/state  the desired state the satellite follows, the very
//       document it polls (groups, artifacts, config, policies, stateDigest), so operators
//       and their tools compare it with what it reports without re-deriving membership
// Computed from one read of the heartbeat and report tables and this replica's view
// (service::FleetHealth), so it costs two narrow scans whatever the fleet's size.
// Ownership: borrows what it is given for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/fleet_health.hpp"
#include "groundcontrol/service/fleet_view.hpp"

namespace groundcontrol::api {

class FleetHandlers {
 public:
  FleetHandlers(const service::FleetHealth& health, const service::FleetView& view, Access& access,
                boost::asio::thread_pool& pool)
      : health_(health), view_(view), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> summary(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> desired_state(
      common::http::Request& request, const common::http::RouteMatch& match);

  const service::FleetHealth& health_;
  const service::FleetView& view_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
