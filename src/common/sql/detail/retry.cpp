#include "common/sql/detail/retry.hpp"

#include <algorithm>

namespace common::sql::detail {

Backoff::Backoff(std::chrono::microseconds first, std::chrono::microseconds cap)
    : first_(first), cap_(cap), rng_(std::random_device{}()) {}

std::chrono::microseconds Backoff::delay(int retry) {
  auto ceiling = first_;
  for (int i = 1; i < retry && ceiling < cap_; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap_);
  std::uniform_int_distribution<std::int64_t> pick(ceiling.count() / 2, ceiling.count());
  std::lock_guard lock(mu_);
  return std::chrono::microseconds(pick(rng_));
}

}  // namespace common::sql::detail
