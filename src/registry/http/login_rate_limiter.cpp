#include "registry/http/login_rate_limiter.hpp"

namespace registry::http {

LoginRateLimiter::LoginRateLimiter(LoginRateLimiterConfig config, const common::Clock& clock)
    : config_(config), clock_(clock) {}

LoginRateLimiter::Admission LoginRateLimiter::try_acquire(std::string_view address) {
  if (config_.burst == 0) return Admission{true};
  const auto now = clock_.steady_now();
  const auto capacity = config_.burst * config_.refill;
  std::lock_guard lock(mutex_);
  auto found = index_.find(std::string(address));
  if (found == index_.end()) {
    if (config_.max_clients == 0) return Admission{true};
    while (index_.size() >= config_.max_clients) {
      index_.erase(lru_.back().address);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{std::string(address), now});
    found = index_.emplace(lru_.front().address, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, found->second);  // most recently seen first
  }
  Bucket& bucket = *found->second;
  const auto from = std::max(bucket.full_at, now);
  if (from + config_.refill - now > capacity) {
    return Admission{false, std::chrono::duration_cast<std::chrono::milliseconds>(
                                from + config_.refill - capacity - now)};
  }
  bucket.full_at = from + config_.refill;
  return Admission{true};
}

void LoginRateLimiter::refund(std::string_view address) {
  if (config_.burst == 0) return;
  const auto now = clock_.steady_now();
  std::lock_guard lock(mutex_);
  const auto found = index_.find(std::string(address));
  if (found == index_.end()) return;
  Bucket& bucket = *found->second;
  bucket.full_at -= config_.refill;
  if (bucket.full_at <= now) {  // full again: as good as untracked
    lru_.erase(found->second);
    index_.erase(found);
  }
}

std::size_t LoginRateLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

}  // namespace registry::http
