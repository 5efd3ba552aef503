// LatencySamples: the durations of one thread's requests, merged after the run into
// percentiles. Kept as raw microsecond samples (4 bytes each; a 20,000/s run of 10 s is
// under 1 MB) so p99 and max are exact, not bucketed. One thread at a time.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace fleet_sim {

class LatencySamples {
 public:
  void add(std::chrono::steady_clock::duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    samples_.push_back(static_cast<std::uint32_t>(std::clamp<std::int64_t>(us, 0, UINT32_MAX)));
    sorted_ = false;
  }
  void merge(const LatencySamples& other) {
    samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
    sorted_ = false;
  }
  std::size_t count() const noexcept { return samples_.size(); }

  // The q-quantile (0 < q <= 1) in milliseconds, nearest rank; 0 when there are no samples.
  // Sorts in place: call after the run.
  double quantile_ms(double q) {
    if (samples_.empty()) return 0;
    if (!sorted_) std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(samples_.size()));
    return samples_[std::min(rank, samples_.size() - 1)] / 1000.0;
  }

 private:
  std::vector<std::uint32_t> samples_;
  bool sorted_ = false;
};

}  // namespace fleet_sim
