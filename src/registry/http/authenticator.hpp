// Authenticator: decides whether a request's Basic credentials let it in, without letting
// password hashing crowd out other work. Credentials already verified are answered from
// HtpasswdAuth's cache at once, on the calling I/O thread, whatever the limits below say
// (they cost no hash). Any other check
//  - takes a token from the caller's address in the LoginRateLimiter (refused: kThrottled,
//    with the time until a token refills), given back when the password was right;
//  - runs on the pool given for password checks only, never on the pool that pushes and
//    pulls use; when `max_pending` checks already wait or run there, it is refused at once
//    (kBusy) rather than queued, so the global number of hash checks stays bounded.
// Borrows the HtpasswdAuth, limiter and pool for its lifetime.
// Thread-safety: check() may run on any I/O thread concurrently.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string_view>

#include "registry/http/htpasswd_auth.hpp"
#include "registry/http/login_rate_limiter.hpp"

namespace registry::http {

struct AuthenticatorConfig {
  // Password checks waiting for or running on the password pool at most; more get kBusy.
  std::size_t max_pending = 64;
};

class Authenticator {
 public:
  enum class Verdict {
    kAllowed,    // credentials are valid
    kDenied,     // no, malformed or wrong credentials (401)
    kThrottled,  // this address failed too often (429)
    kBusy,       // too many password checks queued (429)
  };
  struct Outcome {
    Verdict verdict = Verdict::kDenied;
    std::chrono::seconds retry_after{0};  // for kThrottled and kBusy; at least 1 s
  };

  Authenticator(HtpasswdAuth& auth, LoginRateLimiter& limiter, boost::asio::thread_pool& pool,
                AuthenticatorConfig config);

  // Checks the Authorization header value of a request from `remote_address`; the views
  // need only live until the call's first suspension. May hop to the password pool and back.
  boost::asio::awaitable<Outcome> check(std::string_view authorization,
                                        std::string_view remote_address);

 private:
  HtpasswdAuth& auth_;
  LoginRateLimiter& limiter_;
  boost::asio::thread_pool& pool_;
  AuthenticatorConfig config_;
  std::atomic<std::size_t> pending_{0};  // checks waiting for or running on pool_
};

}  // namespace registry::http
