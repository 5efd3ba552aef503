// RegistryEndpointHandlers: the actions on RegistryEndpoints beyond the resource verbs
// (those are ResourceHandlers'):
//   POST /api/v1/registryendpoints/{name}:test  (admin) connects with the endpoint's
//        credentials; 200 {name, ok, message, time}, also kept in status.lastTest
// Ownership: borrows the service, access and pool for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/registry_endpoint_service.hpp"

namespace groundcontrol::api {

class RegistryEndpointHandlers {
 public:
  RegistryEndpointHandlers(service::RegistryEndpointService& endpoints, Access& access,
                           boost::asio::thread_pool& pool)
      : endpoints_(endpoints), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> test(common::http::Request& request,
                                                      std::string_view name);

  service::RegistryEndpointService& endpoints_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
