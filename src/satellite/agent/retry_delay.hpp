// RetryPolicy and retry_delay(): how long the agent waits before trying again what failed
// (an artifact's pull, the registry's serving certificate): full jitter over a ceiling that
// doubles per failure up to a cap, so thousands of satellites that failed together do not
// come back together. Plain values and a pure function; thread-safe.
#pragma once

#include <chrono>

namespace satellite::agent {

struct RetryPolicy {
  std::chrono::milliseconds first{std::chrono::seconds(5)};  // after the first failure
  std::chrono::milliseconds max{std::chrono::minutes(10)};   // cap of the doubling
};

// The pause after the `failures`-th failure in a row (1 for the first): `uniform` (in
// [0, 1)) of the ceiling, never below half of `policy.first`.
[[nodiscard]] std::chrono::milliseconds retry_delay(const RetryPolicy& policy, unsigned failures,
                                                    double uniform);

}  // namespace satellite::agent
