// EnrollmentHandlers: how satellites get and renew their identity, and how an admin hands
// out and takes back enrollment:
//   POST /satellite/v1/enroll  {"token","csr"} → {"satellite","certificate","ca" (its
//                              signer),"caBundle" (every CA to trust),"serial","notAfter"}
//                              (the one satellite call that needs no client certificate)
//   POST /satellite/v1/renew   {"csr"} with the current certificate → the same document
//   POST /api/v1/satellites/{name}/token   (admin) a new one-time token, voiding the last
//   POST /api/v1/satellites/{name}/revoke  (admin) voids every certificate and token
// Ownership: borrows what it is given for the routers' lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/api/satellite_identity.hpp"
#include "groundcontrol/service/enrollment_service.hpp"
#include "groundcontrol/service/fleet_view.hpp"

namespace groundcontrol::api {

class EnrollmentHandlers {
 public:
  EnrollmentHandlers(service::EnrollmentService& enrollment, const SatelliteIdentity& identity,
                     Access& access, boost::asio::thread_pool& pool)
      : enrollment_(enrollment), identity_(identity), access_(access), pool_(pool) {}

  // Enrollment and renewal answers then carry where signed state is published and the keys
  // to trust (`stateRegistry`), so a satellite trusts them from its first contact.
  void name_state_registry(const service::FleetView& view) { view_ = &view; }

  std::vector<common::http::Route> satellite_routes();
  std::vector<common::http::Route> management_routes();

 private:
  boost::asio::awaitable<common::http::Response> enroll(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> renew(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> token(common::http::Request& request,
                                                       std::string_view satellite);
  boost::asio::awaitable<common::http::Response> revoke(common::http::Request& request,
                                                        std::string_view satellite);

  service::EnrollmentService& enrollment_;
  const SatelliteIdentity& identity_;
  Access& access_;
  boost::asio::thread_pool& pool_;
  const service::FleetView* view_ = nullptr;
};

}  // namespace groundcontrol::api
