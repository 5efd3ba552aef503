// BandwidthLimiter: one token bucket shared by every transfer from the upstream, so the
// bytes per second of all pulls together stay under the configured limit (sites on metered
// or thin links). The bucket holds at most kBurst bytes, so a limit is felt within one
// chunk; a transfer asks before it writes each chunk and waits for its turn.
// Thread-safety: every call from any thread; the rate may change while transfers run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stop_token>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace satellite::replication {

class BandwidthLimiter {
 public:
  static constexpr double kBurst = 64 * 1024;

  // `clock` (steady time) must outlive the limiter.
  explicit BandwidthLimiter(const common::Clock& clock) : clock_(clock) {}

  // Bytes per second for every transfer together; 0: unlimited.
  void set_rate(std::uint64_t bytes_per_second);
  // Takes `bytes` from the bucket (it may go into debt) and returns how long the caller
  // must wait before sending them; zero when unlimited or covered. Never blocks.
  [[nodiscard]] std::chrono::nanoseconds reserve(std::size_t bytes);
  // reserve(), then sleeps the wait in short slices; kUnavailable when `stop` is requested
  // meanwhile.
  [[nodiscard]] common::Status acquire(std::size_t bytes, const std::stop_token& stop);

 private:
  const common::Clock& clock_;
  std::mutex mutex_;  // guards the fields below
  double rate_ = 0;
  double tokens_ = kBurst;
  std::chrono::steady_clock::time_point refilled_{};
};

}  // namespace satellite::replication
