// EnrollmentRequestHandlers: enrollment without a token (EnrollmentRequestService).
//   satellite listener, no client certificate needed:
//   POST /satellite/v1/enrollmentrequests         {"name","csr","labels"?,"deviceInfo"?}
//                                                 → 201 the request, Pending (200 for a
//                                                 retry of the same pending request)
//   GET  /satellite/v1/enrollmentrequests/{name}  the request without its spec: phase,
//                                                 and once approved the certificate, the
//                                                 CA bundle and notAfter (useless without
//                                                 the device's key, so anyone may read it)
//   management listener:
//   POST /api/v1/enrollmentrequests/{name}/approval  (admin) {"approved","labels"?,"reason"?}
// Listing, reading and deleting requests on the management listener are ResourceHandlers'.
// Ownership: borrows what it is given for the routers' lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/enrollment_request_service.hpp"
#include "groundcontrol/service/resource_service.hpp"

namespace groundcontrol::api {

class EnrollmentRequestHandlers {
 public:
  EnrollmentRequestHandlers(service::EnrollmentRequestService& requests,
                            service::ResourceService& resources, Access& access,
                            boost::asio::thread_pool& pool)
      : requests_(requests), resources_(resources), access_(access), pool_(pool) {}

  std::vector<common::http::Route> satellite_routes();
  std::vector<common::http::Route> management_routes();

 private:
  boost::asio::awaitable<common::http::Response> submit(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> poll(common::http::Request& request,
                                                      std::string_view name);
  boost::asio::awaitable<common::http::Response> decide(common::http::Request& request,
                                                        std::string_view name);

  service::EnrollmentRequestService& requests_;
  service::ResourceService& resources_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
