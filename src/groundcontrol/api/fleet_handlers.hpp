// FleetHandlers: how the fleet stands, at a glance (viewer and admin):
//   GET /api/v1/fleet/summary[?labelKey=site]  satellites counted by connectivity and sync
//       state, for the whole fleet, for each group, and for each value of one label
// Computed from one read of the heartbeat and report tables and this replica's view
// (service::FleetHealth), so it costs two narrow scans whatever the fleet's size.
// Ownership: borrows what it is given for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/fleet_health.hpp"

namespace groundcontrol::api {

class FleetHandlers {
 public:
  FleetHandlers(const service::FleetHealth& health, Access& access, boost::asio::thread_pool& pool)
      : health_(health), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> summary(common::http::Request& request);

  const service::FleetHealth& health_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
