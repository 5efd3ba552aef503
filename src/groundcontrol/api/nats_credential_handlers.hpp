// NatsCredentialHandlers: a satellite's NATS credentials (docs/adr/0008), on the satellite
// listener:
//   POST /satellite/v1/nats/credentials  {"publicKey": "U…"} with the satellite's client
//        certificate → {"jwt","expiresAt","servers","inboxPrefix","stream","consumer"};
//        404 NOT_FOUND when ground control runs without NATS (--nats), 503 UNAVAILABLE
//        while NATS is down (the satellite asks again later)
// and on the management listener (admin):
//   POST /api/v1/nats/leafnodes  {"name", "satellites": [...]} → the leaf node's `.creds`
//        file (text/plain, no-store): what a site's NATS leaf node connects to the hub with,
//        carrying exactly what those satellites may (docs/nats.md); 404 without NATS
// Ownership: borrows what it is given for the router's lifetime; `credentials` may be null
// (no NATS channel).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/nats_credential_service.hpp"

namespace groundcontrol::api {

class NatsCredentialHandlers {
 public:
  NatsCredentialHandlers(service::NatsCredentialService* credentials,
                         const SatelliteIdentity& identity, boost::asio::thread_pool& pool)
      : credentials_(credentials), identity_(identity), pool_(pool) {}

  std::vector<common::http::Route> satellite_routes();
  std::vector<common::http::Route> management_routes(Access& access);

 private:
  boost::asio::awaitable<common::http::Response> issue(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> leaf(common::http::Request& request,
                                                      Access& access);

  service::NatsCredentialService* credentials_;
  const SatelliteIdentity& identity_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
