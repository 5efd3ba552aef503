#include "satellite/replication/bandwidth_limiter.hpp"

#include <algorithm>
#include <thread>

namespace satellite::replication {

void BandwidthLimiter::set_rate(std::uint64_t bytes_per_second) {
  const std::lock_guard lock(mutex_);
  rate_ = static_cast<double>(bytes_per_second);
  tokens_ = std::min(tokens_, kBurst);
  refilled_ = clock_.steady_now();
}

std::chrono::nanoseconds BandwidthLimiter::reserve(std::size_t bytes) {
  const std::lock_guard lock(mutex_);
  if (rate_ <= 0) return std::chrono::nanoseconds(0);
  const auto now = clock_.steady_now();
  const double elapsed = std::chrono::duration<double>(now - refilled_).count();
  refilled_ = now;
  tokens_ = std::min(kBurst, tokens_ + std::max(0.0, elapsed) * rate_);
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(-tokens_ / rate_ * 1e9));
}

common::Status BandwidthLimiter::acquire(std::size_t bytes, const std::stop_token& stop) {
  constexpr auto kSlice = std::chrono::milliseconds(50);  // how late a stop is noticed
  auto wait = reserve(bytes);
  while (wait.count() > 0) {
    if (stop.stop_requested()) {
      return common::fail(common::ErrorCode::kUnavailable, "pull stopped");
    }
    const auto step = std::min<std::chrono::nanoseconds>(wait, kSlice);
    std::this_thread::sleep_for(step);
    wait -= step;
  }
  return {};
}

}  // namespace satellite::replication
