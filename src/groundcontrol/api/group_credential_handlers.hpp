// GroupCredentialHandlers: the access id and secret pairs Harbor sends a group's state
// file with:
//   POST   /api/v1/groups/{name}/credentials             (admin) a new pair; the secret is
//                                                        in this answer only (201)
//   GET    /api/v1/groups/{name}/credentials             (viewer) access ids and times
//   DELETE /api/v1/groups/{name}/credentials/{accessId}  (admin) 204
// Ownership: borrows the service, access and pool for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/group_credential_service.hpp"

namespace groundcontrol::api {

class GroupCredentialHandlers {
 public:
  GroupCredentialHandlers(service::GroupCredentialService& credentials, Access& access,
                          boost::asio::thread_pool& pool)
      : credentials_(credentials), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> create(common::http::Request& request,
                                                        std::string_view group);
  boost::asio::awaitable<common::http::Response> list(common::http::Request& request,
                                                      std::string_view group);
  boost::asio::awaitable<common::http::Response> remove(common::http::Request& request,
                                                        std::string_view group,
                                                        std::string_view access_id);

  service::GroupCredentialService& credentials_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
