// BearerAccess: Access for the management API: `Authorization: Bearer <token>` of a user's
// session (AuthService), the role checked against what the route needs. Token checks run
// on the blocking pool (a cache miss reads the database).
// Ownership: borrows the service and pool. Thread-safety: any thread.
#pragma once

#include "common/rate_limiter.hpp"

#include <boost/asio/thread_pool.hpp>

#include "groundcontrol/api/principal.hpp"
#include "groundcontrol/service/auth_service.hpp"

namespace groundcontrol::api {

class BearerAccess final : public Access {
 public:
  // `limiter` (optional) bounds each user's request rate: over it, kTooManyRequests.
  BearerAccess(service::AuthService& auth, boost::asio::thread_pool& pool,
               common::KeyedRateLimiter* limiter = nullptr)
      : auth_(auth), pool_(pool), limiter_(limiter) {}

  boost::asio::awaitable<common::Result<Principal>> authorize(common::http::Request& request,
                                                              Role needed) override;

 private:
  service::AuthService& auth_;
  boost::asio::thread_pool& pool_;
  common::KeyedRateLimiter* limiter_;
};

// The token of an `Authorization: Bearer …` header; empty when there is none.
std::string_view bearer_token(const common::http::Request& request);

}  // namespace groundcontrol::api
