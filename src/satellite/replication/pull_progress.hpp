// PullProgress: the live byte counts of one pull, written by the pull's workers and read by
// another thread (status reports) while it runs. Relaxed atomics: each figure is a gauge,
// read on its own.
#pragma once

#include <atomic>
#include <cstdint>

namespace satellite::replication {

struct PullProgress {
  std::atomic<std::uint64_t> bytes_done{0};   // blob bytes held so far (linked, resumed, fetched)
  std::atomic<std::uint64_t> bytes_total{0};  // grows as manifests are read
};

}  // namespace satellite::replication
