// Principal and Access: who a management request comes from and the check every
// management handler starts with. The Access implementation (bearer tokens of users,
// Harbor's group credentials) lives in auth/; handlers see only this interface.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>

#include "common/http/request.hpp"
#include "common/result.hpp"

namespace groundcontrol::api {

enum class Role { kViewer, kAdmin };

struct Principal {
  std::string actor;  // as the audit trail names it: "user:admin"
  Role role = Role::kViewer;
};

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
