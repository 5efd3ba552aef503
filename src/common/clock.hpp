// Clock: the one seam through which code reads the time, so tests control it (Envoy's
// TimeSource). `now()` is wall-clock time (what is stored and compared with file times);
// `steady_now()` is monotonic (what durations, deadlines and rate limits use).
// Thread-safety: implementations are safe from any thread.
#pragma once

#include <chrono>

namespace common {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

// The real clocks. Stateless.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace common
