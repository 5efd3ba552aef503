#include "common/sql/subscription.hpp"

#include <utility>

#include "common/sql/detail/notification_hub.hpp"

namespace common::sql {

Subscription::Subscription(Subscription&& other) noexcept
    : hub_(std::move(other.hub_)), id_(std::exchange(other.id_, 0)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    hub_ = std::move(other.hub_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Subscription::reset() noexcept {
  if (id_ == 0) return;
  if (auto hub = hub_.lock()) hub->unsubscribe(id_);
  hub_.reset();
  id_ = 0;
}

}  // namespace common::sql
