// KeyedRateLimiter: a token bucket per identity (a satellite, a user), never per address:
// whole fleets sit behind one NAT. Each key may make `rate` requests a second on average
// and `burst` at once. In memory, per replica (a fleet spread over replicas gets each
// replica's allowance, which bounds a runaway client just as well). Bounded: past
// `max_keys` buckets, the ones that have refilled (idle clients) are dropped.
// Thread-safety: allow() from any thread (sharded locks).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"

namespace common {

struct RateLimit {
  double rate = 0;   // requests per second; 0: unlimited
  double burst = 0;  // bucket size; below 1 means 1
};

class KeyedRateLimiter {
 public:
  KeyedRateLimiter(RateLimit limit, const Clock& clock, std::size_t max_keys = 200'000)
      : limit_(limit), clock_(clock), max_keys_per_shard_(max_keys / kShards + 1) {}

  // True when `key` may make a request now (and takes a token for it).
  bool allow(std::string_view key);
  bool unlimited() const noexcept { return limit_.rate <= 0; }
  const RateLimit& limit() const noexcept { return limit_; }

 private:
  static constexpr std::size_t kShards = 16;
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point refilled;
  };
  struct Shard {
    std::mutex mutex;  // guards buckets
    std::unordered_map<std::string, Bucket> buckets;
  };
  double burst() const noexcept { return limit_.burst < 1 ? 1 : limit_.burst; }
  // Drops the buckets that have refilled by `now`. REQUIRES: shard.mutex held.
  void drop_idle(Shard& shard, std::chrono::steady_clock::time_point now) const;

  const RateLimit limit_;
  const Clock& clock_;
  const std::size_t max_keys_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace common
