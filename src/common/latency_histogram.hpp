// LatencyHistogram: durations counted into fixed buckets (0.5 ms … 30 s), the shape of every
// latency Prometheus reads from our servers (HTTP routes, database transactions). Recording
// is lock-free (relaxed atomics), so it sits on hot paths; a snapshot is read at each scrape.
// Thread-safety: record() and snapshot() from any number of threads. Not copyable (atomics).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace common {

class LatencyHistogram {
 public:
  // Upper bounds of the buckets, in seconds; one more bucket holds what is slower.
  static constexpr std::array<double, 10> kBounds = {0.0005, 0.001, 0.005, 0.01, 0.05,
                                                     0.1,    0.5,   1,     5,    30};

  // One consistent reading: the buckets (not cumulative), their total and the sum.
  struct Snapshot {
    std::array<std::uint64_t, kBounds.size() + 1> counts{};
    std::uint64_t total = 0;
    double sum_seconds = 0;
  };

  void record(std::chrono::nanoseconds duration) noexcept {
    const double seconds = std::chrono::duration<double>(duration).count();
    std::size_t bucket = 0;
    while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0)),
                      std::memory_order_relaxed);
  }

  Snapshot snapshot() const noexcept {
    Snapshot out;
    for (std::size_t b = 0; b < out.counts.size(); ++b) {
      out.counts[b] = counts_[b].load(std::memory_order_relaxed);
      out.total += out.counts[b];
    }
    out.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return out;
  }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace common
