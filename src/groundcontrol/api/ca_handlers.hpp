// CaHandlers: ground control's CAs and their rotation (issue 11):
//   GET    /api/v1/ca           (viewer) the CAs: role active|previous, fingerprint, subject,
//                               notBefore, notAfter, certificate, satellites (how many hold a
//                               current certificate from it)
//   POST   /api/v1/ca/rotation  (admin) a new active CA, the old one previous → 201 the CAs;
//                               409 while a previous CA is still there
//   DELETE /api/v1/ca/previous  (admin) retires the previous CA → 204; 409 while satellites
//                               hold certificates from it, unless ?force=true; 404 for none
//   GET    /satellite/v1/ca     (the satellite's certificate) {"caBundle","fingerprints"}: every
//                               CA to trust, so an agent adds a new CA before the old leaves
// Ownership: borrows what it is given for the routers' lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/ca_rotation_service.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"

namespace groundcontrol::api {

class CaHandlers {
 public:
  CaHandlers(service::CaRotationService& rotation, const service::CertificateAuthorities& cas,
             const SatelliteIdentity& identity, Access& access, boost::asio::thread_pool& pool)
      : rotation_(rotation), cas_(cas), identity_(identity), access_(access), pool_(pool) {}

  std::vector<common::http::Route> management_routes();
  std::vector<common::http::Route> satellite_routes();

 private:
  boost::asio::awaitable<common::http::Response> list(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> rotate(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> retire(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> bundle(common::http::Request& request);

  service::CaRotationService& rotation_;
  const service::CertificateAuthorities& cas_;
  const SatelliteIdentity& identity_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
