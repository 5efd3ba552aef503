// SatelliteHandlers: the satellite API (`/satellite/v1`, mTLS), each call for the calling
// satellite only (the name comes from its certificate, never from the request):
//   GET /satellite/v1/state   its desired state with an ETag; If-None-Match gives 304;
//                             ?wait=<seconds> (≤ 300) holds the request until the state
//                             changes or the wait ends (a long-poll), answered from this
//                             replica's FleetView without touching the database. Every
//                             answer carries `X-Poll-After: <seconds>`: the config's poll
//                             interval with ±10% jitter, so a fleet never polls in step.
//   POST /satellite/v1/heartbeat  {version, uptimeSeconds, diskUsedBytes, diskFreeBytes,
//                             bytesTransferred, stateDigest (applied), time (its clock)} →
//                             {stateDigest (desired), inSync, nextHeartbeatSeconds}; recorded
//                             in memory and written in batches (ReportRecorder)
//   POST /satellite/v1/status {stateDigest, lastSync {time, durationMs}, artifacts [{repository,
//                             digest, state present|pulling|failed, bytesDone, bytesTotal,
//                             reason}]} → 202 {stateDigest (desired)}; batched the same way,
//                             the source of the satellite's sync state and drift
// Payloads are the fleet_wire types; unknown fields from a newer satellite are ignored.
//   GET /satellite/v1/config  the config it follows, with the upstream password (sealed at
//                             rest, sent only here), and the digest its state names
// Ownership: borrows the view and identity for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <mutex>
#include <random>
#include <vector>

#include "common/clock.hpp"
#include "common/http/router.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/report_recorder.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/service/robot_account_service.hpp"

namespace groundcontrol::api {

// The longest long-poll a satellite may ask for.
inline constexpr std::chrono::seconds kMaxStateWait{300};

class SatelliteHandlers {
 public:
  SatelliteHandlers(service::FleetView& view, const SatelliteIdentity& identity,
                    service::ResourceService& resources, boost::asio::thread_pool& pool,
                    service::ReportRecorder& reports, const common::Clock& clock,
                    std::uint64_t jitter_seed)
      : view_(view),
        identity_(identity),
        resources_(resources),
        pool_(pool),
        reports_(reports),
        clock_(clock),
        random_(jitter_seed) {}

  // With robot accounts: the config answer carries the satellite's robot credentials.
  void use_robot_accounts(service::RobotAccountService& robots) { robots_ = &robots; }

  std::vector<common::http::Route> routes();
  // Long-polls waiting right now (a gauge of /metrics).
  std::size_t long_polls_held() const noexcept {
    return long_polls_.load(std::memory_order_relaxed);
  }

 private:
  boost::asio::awaitable<common::http::Response> state(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> config(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> heartbeat(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> status(common::http::Request& request);
  // The poll interval with ±10% jitter, in whole seconds.
  std::int64_t jittered(std::chrono::seconds interval);

  service::FleetView& view_;
  const SatelliteIdentity& identity_;
  service::ResourceService& resources_;
  boost::asio::thread_pool& pool_;
  service::ReportRecorder& reports_;
  const common::Clock& clock_;
  service::RobotAccountService* robots_ = nullptr;
  std::atomic<std::size_t> long_polls_ = 0;
  std::mutex random_mutex_;  // guards random_
  std::minstd_rand random_;
};

}  // namespace groundcontrol::api
