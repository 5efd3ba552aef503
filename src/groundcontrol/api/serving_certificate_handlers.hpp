// ServingCertificateHandlers: how a satellite gets the TLS server certificate of its local
// registry (ServingCertificateService), on the satellite listener:
//   POST /satellite/v1/servingcertificate  {"csr"} with the satellite's client certificate →
//        {"satellite","certificate","caBundle","serial","notAfter","names"}: SANs exactly the
//        names its config lists (spec.registry.serverNames), whatever the CSR asks for; 409
//        CONFLICT when the config lists none
// Ownership: borrows what it is given for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/serving_certificate_service.hpp"

namespace groundcontrol::api {

class ServingCertificateHandlers {
 public:
  ServingCertificateHandlers(service::ServingCertificateService& certificates,
                             const SatelliteIdentity& identity, boost::asio::thread_pool& pool)
      : certificates_(certificates), identity_(identity), pool_(pool) {}

  std::vector<common::http::Route> satellite_routes();

 private:
  boost::asio::awaitable<common::http::Response> issue(common::http::Request& request);

  service::ServingCertificateService& certificates_;
  const SatelliteIdentity& identity_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
