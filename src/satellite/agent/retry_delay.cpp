#include "satellite/agent/retry_delay.hpp"

#include <algorithm>
#include <cstdint>

namespace satellite::agent {

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, unsigned failures,
                                      double uniform) {
  auto ceiling = policy.first;
  for (unsigned i = 1; i < failures && ceiling < policy.max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.max);
  return std::max(std::chrono::milliseconds(policy.first / 2),
                  std::chrono::milliseconds(
                      static_cast<std::int64_t>(static_cast<double>(ceiling.count()) * uniform)));
}

}  // namespace satellite::agent
