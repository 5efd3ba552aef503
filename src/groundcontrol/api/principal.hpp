// Access: the check every management handler starts with, giving the request's Principal.
// Its implementation (users' bearer tokens) is BearerAccess; handlers see only this.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "common/http/request.hpp"
#include "common/result.hpp"
#include "groundcontrol/service/principal.hpp"

namespace groundcontrol::api {

using service::Principal;
using service::Role;

class Access {
 public:
  virtual ~Access() = default;
  // The request's principal when it may act with at least `needed`: kUnauthenticated
  // without valid credentials, kPermissionDenied when its role is short, kTooManyRequests
  // when its identity is over its rate.
  virtual boost::asio::awaitable<common::Result<Principal>> authorize(
      common::http::Request& request, Role needed) = 0;
};

}  // namespace groundcontrol::api
