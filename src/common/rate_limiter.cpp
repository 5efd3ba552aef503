#include "common/rate_limiter.hpp"

#include <algorithm>
#include <functional>

namespace common {

bool KeyedRateLimiter::allow(std::string_view key) {
  if (unlimited()) return true;
  const auto now = clock_.steady_now();
  auto& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto found = shard.buckets.find(std::string(key));
  if (found == shard.buckets.end()) {
    if (shard.buckets.size() >= max_keys_per_shard_) drop_idle(shard, now);
    found = shard.buckets.emplace(std::string(key), Bucket{burst(), now}).first;
  }
  auto& bucket = found->second;
  // `now` was read before the lock: another thread may have refilled the bucket later.
  if (now > bucket.refilled) {
    const std::chrono::duration<double> elapsed = now - bucket.refilled;
    bucket.tokens = std::min(burst(), bucket.tokens + elapsed.count() * limit_.rate);
    bucket.refilled = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

void KeyedRateLimiter::drop_idle(Shard& shard, std::chrono::steady_clock::time_point now) const {
  std::erase_if(shard.buckets, [&](const auto& entry) {
    const std::chrono::duration<double> elapsed = now - entry.second.refilled;
    return entry.second.tokens + elapsed.count() * limit_.rate >= burst();
  });
}

}  // namespace common
