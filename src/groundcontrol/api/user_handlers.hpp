// UserHandlers: logging in and out, and the users:
//   POST   /api/v1/login          {"username","password"} → {"token","expiresAt","role"}
//   POST   /api/v1/logout         ends the bearer token's session
//   GET    /api/v1/users          (viewer) the users and their roles
//   POST   /api/v1/users          (admin) {"metadata":{"name"},"spec":{"password","role"}}
//   GET    /api/v1/users/{name}   (viewer)
//   PUT    /api/v1/users/{name}   {"spec":{"role","password"?,"currentPassword"?}}
//   PATCH  /api/v1/users/{name}   a JSON merge patch of the same spec
//                                 (admin: anyone's role and password; a viewer: its own
//                                 password, with currentPassword)
//   DELETE /api/v1/users/{name}   (admin)
// Ownership: borrows the service, access and pool for the router's lifetime.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <vector>

#include "common/http/router.hpp"
#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/auth_service.hpp"

namespace groundcontrol::api {

class UserHandlers {
 public:
  UserHandlers(service::AuthService& auth, Access& access, boost::asio::thread_pool& pool)
      : auth_(auth), access_(access), pool_(pool) {}

  std::vector<common::http::Route> routes();

 private:
  boost::asio::awaitable<common::http::Response> login(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> logout(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> list(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> create(common::http::Request& request);
  boost::asio::awaitable<common::http::Response> get(common::http::Request& request,
                                                     std::string_view name);
  boost::asio::awaitable<common::http::Response> update(common::http::Request& request,
                                                        std::string_view name, bool replace);
  boost::asio::awaitable<common::http::Response> remove(common::http::Request& request,
                                                        std::string_view name);

  service::AuthService& auth_;
  Access& access_;
  boost::asio::thread_pool& pool_;
};

}  // namespace groundcontrol::api
