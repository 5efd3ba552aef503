// LoginRateLimiter: limits password checks by client address, so one host guessing
// passwords cannot make the registry hash without end. Each address has a token bucket of
// `burst` attempts that refills one token per `refill`: an attempt takes a token before its
// hash check and gives it back when the password was right, so only failures (and checks
// still running) use tokens up. An address with no token left is refused without a hash
// check until one refills. Buckets are per address only, never per user name: a stranger
// who could empty a user's bucket could lock that user out. Nor per IPv6 /64: a site's
// hosts share their LAN's /64, so one of them could lock the others out. A client that
// changes address to escape its bucket is bounded by the global cap on pending checks
// (Authenticator) instead.
// Memory: at most `max_clients` addresses are tracked; inserting beyond that forgets the
// least recently seen. A bucket that has refilled completely is forgotten at once.
// Time comes from the injected Clock (steady_now). The implementation is GCRA: each bucket
// holds the time at which it is full again instead of a token count.
// Thread-safety: all calls are safe from any thread (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"

namespace registry::http {

struct LoginRateLimiterConfig {
  // Password checks one address may fail in a row before it is refused; 0 disables the limit.
  unsigned burst = 10;
  // Time for one token to refill; must be positive when burst is not 0.
  std::chrono::milliseconds refill{1000};
  // Addresses tracked at most; the least recently seen is forgotten first.
  std::size_t max_clients = 10000;
};

class LoginRateLimiter {
 public:
  struct Admission {
    bool admitted = false;
    std::chrono::milliseconds retry_after{0};  // when refused: until the next token refills
  };

  // Borrows `clock` for the limiter's lifetime.
  LoginRateLimiter(LoginRateLimiterConfig config, const common::Clock& clock);

  // Takes a token for one password check from `address`; refused when none is left.
  Admission try_acquire(std::string_view address);
  // Gives back the token of a check that succeeded or never ran.
  void refund(std::string_view address);
  // Addresses currently tracked (bounded by max_clients).
  std::size_t tracked() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Bucket {
    std::string address;
    TimePoint full_at;  // every token is back then; (full_at - now) / refill tokens are out
  };
  using Lru = std::list<Bucket>;  // most recently seen first

  LoginRateLimiterConfig config_;
  const common::Clock& clock_;
  mutable std::mutex mutex_;  // guards lru_ and index_
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace registry::http
