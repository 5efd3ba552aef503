// NatsCredentialHandlers: a satellite's NATS credentials (docs/adr/0008), on the satellite
// listener:
//   POST /satellite/v1/nats/credentials  {"publicKey": "U…"} with the satellite's client
//        certificate → {"jwt","expiresAt","servers","inboxPrefix","stream","consumer"};
//        404 NOT_FOUND when ground control runs without NATS (--nats), 503 UNAVAILABLE
//        while NATS is down (the satellite asks again later)
// Ownership: borrows what it is given for the router's lifetime; `credentials` may be null
// (no NATS channel).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/nats_credential_service.hpp"

namespace groundcontrol::api {

class NatsCredentialHandlers {
 public:
  NatsCredentialHandlers(service::NatsCredentialService* credentials,
                         const SatelliteIdentity& identity, boost::asio::thread_pool& pool)
      : credentials_(credentials), identity_(identity), pool_(pool) {}

  std::vector<common::http::Route> satellite_routes();

 private:
  boost::asio::awaitable<common::http::Response> issue(common::http::Request& request);

  service::NatsCredentialService* credentials_;
  const SatelliteIdentity& identity_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
