// Retrying a transaction: Backoff (jittered exponential pauses, one per Database, its own
// random engine behind a mutex; thread-safe) and retry_transaction, the loop both backends'
// transact() run.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "common/result.hpp"

namespace common::sql::detail {

class Backoff {
 public:
  Backoff(std::chrono::microseconds first, std::chrono::microseconds cap);
  // The pause before retry number `retry` (1 = the first): uniform in [d/2, d] with
  // d = min(cap, first * 2^(retry-1)), so contending callers spread out.
  std::chrono::microseconds delay(int retry);

 private:
  std::chrono::microseconds first_;
  std::chrono::microseconds cap_;
  std::mutex mu_;  // guards rng_
  std::minstd_rand rng_;
};

// What one attempt of a transaction came to: success, or an error and whether running the
// whole transaction again may succeed.
struct Attempt {
  Status status;
  bool retry = false;
};

// Runs `attempt()` (returning Attempt) until it succeeds, fails for good, or `max_attempts`
// runs are spent, pausing backoff.delay(n) between runs. Returns the last status (a
// serialization conflict as kUnavailable); after more than one run its message says how
// many.
template <class AttemptFn>
Status retry_transaction(int max_attempts, Backoff& backoff, AttemptFn&& attempt) {
  for (int run = 1;; ++run) {
    Attempt result = attempt();
    if (result.status || !result.retry) return std::move(result.status);
    if (run >= max_attempts) {
      // Contention that outlasted every retry is transient for the caller too: kUnavailable
      // (an HTTP 503 with Retry-After), never kConflict (a stale write the caller must fix).
      const Error& error = result.status.error();
      return fail(error.code() == ErrorCode::kConflict ? ErrorCode::kUnavailable : error.code(),
                  error.message() + " (gave up after " + std::to_string(run) + " attempts)",
                  error.detail());
    }
    std::this_thread::sleep_for(backoff.delay(run));
  }
}

}  // namespace common::sql::detail
