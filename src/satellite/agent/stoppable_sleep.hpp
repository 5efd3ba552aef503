// sleep_unless_stopped: a pause of a worker thread that a stop request ends at once (the
// agent's poll intervals and back-offs must not hold up a shutdown).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace satellite::agent {

// Sleeps for `duration`, or less when `stop` is requested; false when it was.
inline bool sleep_unless_stopped(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  woken.wait_for(lock, stop, duration, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace satellite::agent
