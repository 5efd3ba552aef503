// FakeClock: a Clock that moves only when a test advances it. Starts at a fixed, recent
// wall-clock time so stored timestamps look plausible.
#pragma once

#include <atomic>
#include <chrono>

#include "common/clock.hpp"

namespace testutil {

class FakeClock final : public common::Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::nanoseconds(offset_.load()) + kEpoch);
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(offset_.load()));
  }
  void advance(std::chrono::nanoseconds by) { offset_ += by.count(); }

 private:
  static constexpr std::chrono::seconds kEpoch{1'790'000'000};  // 2026-09
  std::atomic<std::int64_t> offset_{0};
};

}  // namespace testutil
