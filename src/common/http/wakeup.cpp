#include "common/http/wakeup.hpp"

#include <utility>

namespace common::http {

void Wakeup::fire() {
  fired_.store(true, std::memory_order_release);
  std::lock_guard lock(mutex_);
  if (on_fire_) std::exchange(on_fire_, nullptr)();
}

void Wakeup::arm(std::function<void()> on_fire) {
  std::lock_guard lock(mutex_);
  if (fired()) {
    on_fire();
    return;
  }
  on_fire_ = std::move(on_fire);
}

void Wakeup::disarm() {
  std::lock_guard lock(mutex_);
  on_fire_ = nullptr;
}

}  // namespace common::http
